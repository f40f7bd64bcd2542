import { expect } from 'chai';
import { DEFAULT_FLAGS, type BenchFlags } from '../../../bench/bench-flags.js';
import { latencyRow, valueRow } from '../../../bench/report-rows.js';
import { TARGETS, evaluateLatency, evaluateValue } from '../../../bench/targets.js';

const flags: BenchFlags = { ...DEFAULT_FLAGS };
const repeat = (value: number, n: number): number[] => Array<number>(n).fill(value);

describe('bench targets', () => {
  const running = TARGETS['latency.create_to_running'];

  it('create -> Running needs both p50 <= 100 ms and p99 <= 300 ms', () => {
    expect(evaluateLatency(running, [...repeat(50, 99), 300], 0, flags).verdict).to.equal('met');
    // p50 fine, p99 too slow
    expect(evaluateLatency(running, [...repeat(50, 98), 301, 301], 0, flags).verdict).to.equal('missed');
    // p99 fine, p50 too slow
    expect(evaluateLatency(running, repeat(101, 100), 0, flags).verdict).to.equal('missed');
  });

  it('samples that never arrived count as infinitely late', () => {
    expect(evaluateLatency(running, repeat(10, 99), 1, flags).verdict).to.equal('met');
    expect(evaluateLatency(running, repeat(10, 98), 2, flags).verdict).to.equal('missed');
    expect(evaluateLatency(running, [], 0, flags).verdict).to.equal('missed');
  });

  it('a row without a target gets no verdict', () => {
    expect(evaluateLatency(undefined, [1], 0, flags)).to.deep.equal({ verdict: '' });
    expect(evaluateValue(undefined, 1, flags)).to.deep.equal({ verdict: '' });
  });

  it('value targets are upper bounds and NaN (not measured) misses', () => {
    const rss = TARGETS['footprint.kubelet_rss_peak_mb'];
    expect(evaluateValue(rss, 150, flags).verdict).to.equal('met');
    expect(evaluateValue(rss, 150.1, flags).verdict).to.equal('missed');
    expect(evaluateValue(rss, Number.NaN, flags).verdict).to.equal('missed');
    expect(evaluateValue(TARGETS['burst.total_seconds'], 119, flags).verdict).to.equal('met');
    expect(evaluateValue(TARGETS['footprint.runner_idle_cpu_percent'], 1.2, flags).verdict).to.equal(
      'missed',
    );
  });

  it('notes when the run differs from the conditions the target is stated for', () => {
    expect(evaluateLatency(running, [1], 0, flags).note).to.equal(undefined);
    expect(evaluateLatency(running, [1], 0, { ...flags, ratePerSecond: 5 }).note).to.match(/20 pods\/s/);
    const rss = TARGETS['footprint.runner_rss_peak_mb'];
    expect(evaluateValue(rss, 1, { ...flags, footprintPods: 100 }).note).to.match(/1,000 running pods/);
  });

  it('rows find their target by id and carry its text', () => {
    const row = latencyRow('runner', 'create_to_running', 'x', { values: [10, 60], missing: 0 }, flags);
    expect(row.target).to.equal('p99 <= 50 ms');
    expect(row.verdict).to.equal('missed');
    expect(row.summary.p50).to.equal(10);
    const info = valueRow('burst', 'run_pods_per_second', 'x', 12, 'pods/s', flags);
    expect(info.target).to.equal('');
    expect(info.verdict).to.equal('');
  });

  it('CPU per pod lifecycle: at most 5 ms in the runner and the kubelet, quiet and contended', () => {
    for (const scenario of ['latency', 'contended']) {
      for (const part of ['runner', 'kubelet']) {
        const target = TARGETS[`${scenario}.${part}_cpu_ms_per_pod`];
        expect(evaluateValue(target, 5, flags).verdict, `${scenario} ${part}`).to.equal('met');
        expect(evaluateValue(target, 5.01, flags).verdict).to.equal('missed');
      }
    }
    // The control plane's row is for reading the budget, not judged.
    expect(TARGETS['latency.control_plane_cpu_ms_per_pod']).to.equal(undefined);
  });

  it('contended: create -> Running and exit -> Terminated p99 <= 1 s at 20 pods/s', () => {
    for (const row of ['create_to_running', 'exit_to_terminated']) {
      const target = TARGETS[`contended.${row}`];
      expect(evaluateLatency(target, [...repeat(100, 99), 1000], 0, flags).verdict).to.equal('met');
      expect(evaluateLatency(target, [...repeat(100, 98), 1001, 1001], 0, flags).verdict).to.equal('missed');
      expect(evaluateLatency(target, [1], 0, { ...flags, ratePerSecond: 50 }).note).to.match(/20 pods\/s/);
    }
  });

  it('contended: event-loop delay p99 <= 50 ms in both processes; unmeasured misses', () => {
    for (const part of ['runner', 'kubelet']) {
      const target = TARGETS[`contended.${part}_event_loop_delay_p99_ms`];
      expect(evaluateValue(target, 50, flags).verdict).to.equal('met');
      expect(evaluateValue(target, 75, flags).verdict).to.equal('missed');
      expect(evaluateValue(target, Number.NaN, flags).verdict).to.equal('missed');
    }
  });

  it('RSS with 200 pods running: runner <= 60 MB, kubelet <= 80 MB; a smaller run carries a note', () => {
    const runner = TARGETS['footprint.runner_rss_200_mb'];
    const kubelet = TARGETS['footprint.kubelet_rss_200_mb'];
    expect(evaluateValue(runner, 60, flags)).to.deep.equal({ verdict: 'met' });
    expect(evaluateValue(runner, 61, flags).verdict).to.equal('missed');
    expect(evaluateValue(kubelet, 80, flags)).to.deep.equal({ verdict: 'met' });
    expect(evaluateValue(kubelet, 81, flags).verdict).to.equal('missed');
    // Held at 200 whenever the footprint scenario has at least 200 pods.
    expect(evaluateValue(kubelet, 1, { ...flags, footprintPods: 200 }).note).to.equal(undefined);
    expect(evaluateValue(kubelet, 1, { ...flags, footprintPods: 100 }).note).to.match(/200 running pods/);
    const alone = TARGETS['runner.rss_all_running_mb'];
    expect(evaluateValue(alone, 59, flags)).to.deep.equal({ verdict: 'met' });
    expect(evaluateValue(alone, 59, { ...flags, runnerPods: 50 }).note).to.match(/200 running pods/);
  });
});
