import { expect } from 'chai';
import { DEFAULT_FLAGS } from '../../../bench/bench-flags.js';
import { histogramQuantileMs, stageRows, startCpuRows } from '../../../bench/scenarios/huge-pod-stages.js';
import type { PromSample } from '../../../bench/prom-text.js';

const bucket = (le: string, value: number): PromSample => ({ labels: { le }, value });

describe('bench hugepod stages', () => {
  describe('histogramQuantileMs', () => {
    const before = [bucket('0.01', 5), bucket('0.1', 5), bucket('1', 5), bucket('+Inf', 5)];
    const table: Array<{ name: string; after: PromSample[]; q: number; want: number }> = [
      {
        name: 'the bucket of the median over the window, in ms',
        after: [bucket('0.01', 15), bucket('0.1', 25), bucket('1', 35), bucket('+Inf', 35)],
        q: 0.5,
        want: 100,
      },
      {
        name: 'p99 in the last finite bucket',
        after: [bucket('0.01', 15), bucket('0.1', 25), bucket('1', 35), bucket('+Inf', 35)],
        q: 0.99,
        want: 1000,
      },
      {
        name: 'above the last finite bound: Infinity',
        after: [bucket('0.01', 5), bucket('0.1', 5), bucket('1', 5), bucket('+Inf', 15)],
        q: 0.99,
        want: Infinity,
      },
      { name: 'no observations in the window: NaN', after: before, q: 0.5, want: Number.NaN },
    ];
    for (const t of table) {
      it(t.name, () => {
        const got = histogramQuantileMs(before, t.after, t.q);
        if (Number.isNaN(t.want)) expect(got).to.be.NaN;
        else expect(got).to.equal(t.want);
      });
    }
  });

  it('stageRows pairs each small pod from one stamp to the next', () => {
    const m = (entries: Array<[string, number]>): Map<string, number> => new Map(entries);
    const rows = stageRows(
      ['a', 'b'],
      {
        created: m([
          ['a', 0],
          ['b', 100],
        ]),
        runnerReceived: m([
          ['a', 10],
          ['b', 120],
        ]),
        startSent: m([
          ['a', 40],
          ['b', 160],
        ]),
        runnerRunning: m([['a', 45]]),
        apiRunning: m([
          ['a', 90],
          ['b', 300],
        ]),
      },
      DEFAULT_FLAGS,
    );
    const values = rows.map((r) => (r.kind === 'latency' ? [r.summary.count, r.missing] : []));
    expect(rows.map((r) => r.id)).to.deep.equal([
      'hugepod.stage_create_to_runner_received',
      'hugepod.stage_runner_received_to_start_sent',
      'hugepod.stage_start_sent_to_runner_event',
      'hugepod.stage_runner_event_to_api_running',
    ]);
    expect(values).to.deep.equal([
      [2, 0],
      [2, 0],
      [1, 1],
      [1, 1],
    ]);
  });

  it('startCpuRows: one row per process group in seconds, components left to the JSON', () => {
    const rows = startCpuRows(
      {
        runner: { cpuMs: 4200, seconds: 40 },
        'control plane': { cpuMs: 9000, seconds: 40 },
        'control plane: etcd': { cpuMs: 1000, seconds: 40 },
      },
      DEFAULT_FLAGS,
    );
    expect(rows.map((r) => [r.id, r.kind === 'value' ? r.value : NaN])).to.deep.equal([
      ['hugepod.start_cpu_seconds_runner', 4.2],
      ['hugepod.start_cpu_seconds_control_plane', 9],
    ]);
  });
});
