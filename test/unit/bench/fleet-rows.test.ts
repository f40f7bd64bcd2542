import { expect } from 'chai';
import { DEFAULT_FLAGS } from '../../../bench/bench-flags.js';
import type { ReportRow } from '../../../bench/report-rows.js';
import { emptyFigures, fleetRows, maxRead, type RoundFigures } from '../../../bench/scenarios/fleet-rows.js';

const row = (rows: ReportRow[], id: string): ReportRow => {
  const found = rows.find((r) => r.id === id);
  if (!found) throw new Error(`no row ${id} in ${rows.map((r) => r.id).join(', ')}`);
  return found;
};

/** A real round of 100 nodes that met every target. */
function real100(): RoundFigures {
  return {
    ...emptyFigures(),
    rssBeforeKb: 60 * 1024,
    rssIdleKb: 160 * 1024,
    rssPodsKb: 200 * 1024,
    windowSeconds: 60,
    requestWindowSeconds: 60,
    cpuSeconds: 1.8,
    settleSeconds: 60,
    settleCpuSeconds: 4.5,
    requests: { sum: 600 * 6.1, nodes: 100 },
    unanswered: 0,
    leaseIdle: { renewals: 600, maxLateMs: 40, unjudged: 0 },
    leasePods: { renewals: 600, maxLateMs: 1_900, unjudged: 0 },
    podsPerNode: 10,
    running: { values: Array<number>(1000).fill(80), missing: 0 },
    exitToTerminated: { values: Array<number>(1000).fill(150), missing: 0 },
  };
}

describe('fleet rows', () => {
  const round = { id: 'real', what: 'runner processes', nodes: 100 };

  it('a round that read nothing still gives its rows, NaN where unread', () => {
    const rows = fleetRows({ id: 'light', what: 'light runners', nodes: 10 }, emptyFigures(), DEFAULT_FLAGS);
    expect(rows.map((r) => r.id)).to.include('fleet.light_10_metrics_unanswered');
    const requests = rows.find((r) => r.id === 'fleet.light_10_api_requests_per_node_min');
    expect(requests?.kind === 'value' && Number.isNaN(requests.value)).to.equal(true);
  });

  it('requests per node count only the nodes read both times', () => {
    const f = {
      ...emptyFigures(),
      windowSeconds: 60,
      requestWindowSeconds: 60,
      requests: { sum: 120, nodes: 6 },
      unanswered: 4,
    };
    const rows = fleetRows({ id: 'light', what: 'light runners', nodes: 10 }, f, DEFAULT_FLAGS);
    const requests = rows.find((r) => r.id === 'fleet.light_10_api_requests_per_node_min');
    expect(requests?.kind === 'value' ? requests.value : undefined).to.equal(20);
  });

  it('requests per node are over the time between the two scrapes, not the idle window alone', () => {
    // 1,000 nodes: each pass took 20 s, so a node's two reads were 80 s apart.
    const f = {
      ...emptyFigures(),
      windowSeconds: 60,
      requestWindowSeconds: 80,
      requests: { sum: 8_000, nodes: 1_000 },
    };
    const rows = fleetRows({ id: 'light', what: 'light runners', nodes: 1_000 }, f, DEFAULT_FLAGS);
    const requests = row(rows, 'fleet.light_1000_api_requests_per_node_min');
    expect(requests.kind === 'value' ? requests.value : undefined).to.equal(6);
  });

  it('judges the 100-node real round against every target stated for it', () => {
    const rows = fleetRows(round, real100(), DEFAULT_FLAGS);
    const judged = rows.filter((r) => r.verdict !== '').map((r) => [r.id, r.verdict]);
    expect(judged).to.deep.equal([
      ['fleet.real_100_kubelet_rss_mb', 'met'],
      ['fleet.real_100_kubelet_idle_cpu_percent', 'met'],
      ['fleet.real_100_lease_late_max_ms', 'met'],
      ['fleet.real_100_pod_running', 'met'],
      ['fleet.real_100_pod_exit_to_terminated', 'met'],
    ]);
    const rss = row(rows, 'fleet.real_100_kubelet_rss_mb');
    expect(rss.kind === 'value' ? rss.value : undefined).to.equal(200);
  });

  it('reads the minute after all Ready apart: its CPU is a row without a target, the idle target is judged after it', () => {
    // 7.5 % of a core while the nodes are first scraped, 3 % once idle (real100).
    const rows = fleetRows(round, real100(), DEFAULT_FLAGS);
    const settle = row(rows, 'fleet.real_100_kubelet_settle_cpu_percent');
    expect(settle.kind === 'value' ? settle.value : Number.NaN).to.be.closeTo(7.5, 1e-9);
    expect(settle.verdict).to.equal('');
    const idle = row(rows, 'fleet.real_100_kubelet_idle_cpu_percent');
    expect(idle.kind === 'value' ? idle.value : Number.NaN).to.be.closeTo(3, 1e-9);
    expect(idle.verdict).to.equal('met');
    expect(rows.findIndex((r) => r === settle)).to.equal(rows.findIndex((r) => r === idle) - 1);
  });

  it('a round that skipped the settle reads no settle CPU rather than a division by zero', () => {
    const rows = fleetRows(round, { ...real100(), settleSeconds: 0, settleCpuSeconds: 0 }, DEFAULT_FLAGS);
    const settle = row(rows, 'fleet.real_100_kubelet_settle_cpu_percent');
    expect(settle.kind === 'value' && Number.isNaN(settle.value)).to.equal(true);
  });

  const misses: Array<[string, Partial<RoundFigures>, string]> = [
    ['RSS over 400 MB', { rssPodsKb: 401 * 1024 }, 'fleet.real_100_kubelet_rss_mb'],
    ['idle CPU over 5 % of a core', { cpuSeconds: 3.1 }, 'fleet.real_100_kubelet_idle_cpu_percent'],
    [
      'a renewal more than 2 s late',
      { leaseIdle: { renewals: 1, maxLateMs: 2_001, unjudged: 0 } },
      'fleet.real_100_lease_late_max_ms',
    ],
    [
      'Leases never read',
      { leaseIdle: emptyFigures().leaseIdle, leasePods: emptyFigures().leasePods },
      'fleet.real_100_lease_late_max_ms',
    ],
    [
      'p99 create -> Running over 300 ms',
      { running: { values: Array<number>(1000).fill(80), missing: 20 } },
      'fleet.real_100_pod_running',
    ],
    [
      'p99 exit -> Terminated over 200 ms',
      {
        exitToTerminated: {
          values: [...Array<number>(980).fill(80), ...Array<number>(20).fill(201)],
          missing: 0,
        },
      },
      'fleet.real_100_pod_exit_to_terminated',
    ],
  ];
  for (const [what, change, id] of misses) {
    it(`misses on ${what}`, () => {
      const rows = fleetRows(round, { ...real100(), ...change }, DEFAULT_FLAGS);
      expect(row(rows, id).verdict).to.equal('missed');
    });
  }

  it("the 1,000-node light round: RSS, Lease lateness and a real kubelet's request rate", () => {
    const f = { ...real100(), rssPodsKb: 1_400 * 1024, podsPerNode: 0, exitToTerminated: undefined };
    const light = { id: 'light', what: 'light runners', nodes: 1000 };
    const met = fleetRows(light, { ...f, requests: { sum: 1000 * 6.2, nodes: 1000 } }, DEFAULT_FLAGS);
    const verdicts = met.filter((r) => r.verdict !== '').map((r) => [r.id, r.verdict]);
    expect(verdicts).to.deep.equal([
      ['fleet.light_1000_kubelet_rss_mb', 'met'],
      ['fleet.light_1000_api_requests_per_node_min', 'met'],
      ['fleet.light_1000_lease_late_max_ms', 'met'],
    ]);
    const missed = fleetRows(light, { ...f, requests: { sum: 1000 * 7, nodes: 1000 } }, DEFAULT_FLAGS);
    expect(row(missed, 'fleet.light_1000_api_requests_per_node_min').verdict).to.equal('missed');
    expect(missed.map((r) => r.id)).not.to.include('fleet.light_1000_pod_exit_to_terminated');
  });

  const maxCases: Array<[number, number, number]> = [
    [1, 2, 2],
    [Number.NaN, 2, 2],
    [3, Number.NaN, 3],
  ];
  for (const [a, b, expected] of maxCases) {
    it(`maxRead(${a}, ${b}) = ${expected}`, () => expect(maxRead(a, b)).to.equal(expected));
  }
  it('maxRead of nothing read is NaN', () => expect(maxRead(Number.NaN, Number.NaN)).to.be.NaN);
});
