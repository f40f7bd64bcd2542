import { expect } from 'chai';
import { CpuMeter, cpuBetween, perPodCpu } from '../../../bench/cpu-budget.js';

describe('bench CPU per pod lifecycle', () => {
  const table: Array<{
    name: string;
    scenario: { cpuMs: number; seconds: number };
    baseline: { cpuMs: number; seconds: number };
    pods: number;
    perPodMs: number;
  }> = [
    {
      name: 'takes the idle rate over the scenario window off before dividing',
      scenario: { cpuMs: 2600, seconds: 60 },
      baseline: { cpuMs: 600, seconds: 60 },
      pods: 600,
      perPodMs: (2600 - 600) / 600,
    },
    {
      name: 'scales a baseline of another length to the scenario window',
      scenario: { cpuMs: 1000, seconds: 60 },
      baseline: { cpuMs: 100, seconds: 30 }, // 3.33 ms/s idle -> 200 ms over 60 s
      pods: 100,
      perPodMs: 8,
    },
    {
      name: 'a process that only idled costs nothing per pod',
      scenario: { cpuMs: 500, seconds: 50 },
      baseline: { cpuMs: 500, seconds: 50 },
      pods: 10,
      perPodMs: 0,
    },
    {
      name: 'a quieter scenario than baseline comes out below zero (tick noise), not clamped',
      scenario: { cpuMs: 490, seconds: 50 },
      baseline: { cpuMs: 500, seconds: 50 },
      pods: 10,
      perPodMs: -1,
    },
    {
      name: 'no pods: not measurable',
      scenario: { cpuMs: 490, seconds: 50 },
      baseline: { cpuMs: 500, seconds: 50 },
      pods: 0,
      perPodMs: Number.NaN,
    },
    {
      name: 'no baseline window: not measurable',
      scenario: { cpuMs: 490, seconds: 50 },
      baseline: { cpuMs: 0, seconds: 0 },
      pods: 10,
      perPodMs: Number.NaN,
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const cost = perPodCpu(t.scenario, t.baseline, t.pods);
      if (Number.isNaN(t.perPodMs)) expect(cost.perPodMs).to.be.NaN;
      else expect(cost.perPodMs).to.be.closeTo(t.perPodMs, 1e-9);
      expect(cost.scenarioMs).to.equal(t.scenario.cpuMs);
    });
  }

  it('reports the idle rate and its share of the scenario window', () => {
    const cost = perPodCpu({ cpuMs: 1000, seconds: 60 }, { cpuMs: 120, seconds: 30 }, 100);
    expect(cost.baselineMsPerSecond).to.equal(4);
    expect(cost.idleShareMs).to.equal(240);
  });

  it('turns clock ticks between two marks into CPU ms per group', () => {
    const windows = cpuBetween(
      { atMs: 1000, ticks: { runner: 100, 'control plane': 5000 } },
      { atMs: 61_000, ticks: { runner: 160, 'control plane': 5300 } },
      100,
    );
    expect(windows).to.deep.equal({
      runner: { cpuMs: 600, seconds: 60 },
      'control plane': { cpuMs: 3000, seconds: 60 },
    });
  });

  it('sums a group over its processes and marks it NaN when one cannot be read', () => {
    const ticks = new Map([
      [10, 7],
      [11, 5],
    ]);
    const read = (pid: number): number => {
      const t = ticks.get(pid);
      if (t === undefined) throw new Error('ENOENT');
      return t;
    };
    let now = 0;
    const meter = new CpuMeter({ plane: [10, 11], gone: [10, 99], none: [] }, read, 100, () => now);
    const start = meter.mark();
    expect(start.ticks['plane']).to.equal(12);
    expect(start.ticks['gone']).to.be.NaN;
    expect(start.ticks['none']).to.be.NaN;
    ticks.set(10, 17);
    now = 2000;
    expect(meter.between(start, meter.mark())['plane']).to.deep.equal({ cpuMs: 100, seconds: 2 });
  });
});
