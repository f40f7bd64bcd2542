import { expect } from 'chai';
import { cpuNanoCores, type CpuSample } from '../../../../src/kubelet/api/cpu-rate.js';

describe('cpuNanoCores', () => {
  const prev = (timeMs: number, usage: number, rate = 7): CpuSample => ({
    timeMs,
    usageCoreNanoSeconds: usage,
    usageNanoCores: rate,
  });
  const cases: Array<[string, CpuSample | undefined, number, number, number, number]> = [
    // title, previous, time, usage, startedAt, want
    ['half a core between samples', prev(10_000, 1e9), 12_000, 2e9, 0, 5e8],
    ['two cores between samples', prev(0, 0), 1_000, 2e9, 0, 2e9],
    ['first sample: average since the start', undefined, 20_000, 5e9, 10_000, 5e8],
    ['counter went backwards: average since the start', prev(19_000, 9e9), 20_000, 5e9, 10_000, 5e8],
    ['same timestamp: the previous rate', prev(20_000, 5e9, 123), 20_000, 5e9, 0, 123],
    ['idle between samples is still at least 1', prev(10_000, 1e9), 20_000, 1e9, 0, 1],
    ['no previous and no start time: 1', undefined, 20_000, 5e9, 0, 1],
    ['a clock that went backwards: average since the start', prev(30_000, 1e9), 20_000, 2e9, 10_000, 2e8],
  ];
  for (const [title, previous, timeMs, usage, startedAtMs, want] of cases) {
    it(title, () => {
      expect(cpuNanoCores(previous, timeMs, usage, startedAtMs)).to.equal(want);
    });
  }
});
