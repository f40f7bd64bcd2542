import { expect } from 'chai';
import type { ProbeCounter__Output } from '../../../src/generated/vkcmd/runner/v1/ProbeCounter.js';
import type { WatchPodsEvent__Output } from '../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import {
  cpuMsPerCall,
  cpuSharePercent,
  mbPerSecond,
  noteReady,
  probeCost,
  probeRunsOf,
} from '../../../bench/runner-figures.js';

function counter(successful: number, failed: number, unknown: number): ProbeCounter__Output {
  return {
    podUid: 'u',
    namespace: 'ns',
    pod: 'p',
    container: 'c1',
    probeType: 'Readiness',
    successful,
    failed,
    unknown,
  } as unknown as ProbeCounter__Output;
}

function event(
  type: WatchPodsEvent__Output['type'],
  name: string,
  ready: boolean | undefined,
): WatchPodsEvent__Output {
  return {
    type,
    revision: 1,
    epoch: 'e',
    pod: {
      uid: 'u',
      namespace: 'ns',
      name,
      initContainerStatuses: [],
      containerStatuses: [{ name: 'c1', restartCount: 0, pgid: 0, image: '', ready }],
      createdAtMs: 0,
      deleting: false,
      revision: 1,
      restartPolicy: 'Never',
    },
  } as unknown as WatchPodsEvent__Output;
}

describe('bench runner figures', () => {
  const shares: Array<[number, number, number]> = [
    [1000, 10, 10], // 1 s of CPU in 10 s: 10 % of a core
    [30_000, 30, 100],
    [0, 30, 0],
  ];
  for (const [cpuMs, seconds, percent] of shares) {
    it(`${cpuMs} CPU ms over ${seconds} s is ${percent} % of a core`, () => {
      expect(cpuSharePercent({ cpuMs, seconds })).to.be.closeTo(percent, 1e-9);
    });
  }

  it('an empty window has no share and no calls no per-call cost', () => {
    expect(cpuSharePercent({ cpuMs: 5, seconds: 0 })).to.be.NaN;
    expect(cpuMsPerCall(100, 0)).to.be.NaN;
    expect(cpuMsPerCall(100, 40)).to.equal(2.5);
  });

  it('counts every probe run: successful, failed and unknown, over all counters', () => {
    expect(probeRunsOf([counter(10, 2, 1), counter(5, 0, 0)])).to.equal(18);
    expect(probeRunsOf([])).to.equal(0);
  });

  it('the probe cost is the difference from the idle window, scaled to the same length', () => {
    // 30 s with probes at 20 % of a core; idle 10 s at 2 %: idle over 30 s is 600 ms.
    const cost = probeCost({ cpuMs: 6000, seconds: 30 }, { cpuMs: 200, seconds: 10 }, 12_000);
    expect(cost.withProbesPercent).to.be.closeTo(20, 1e-9);
    expect(cost.idlePercent).to.be.closeTo(2, 1e-9);
    expect(cost.probesPercent).to.be.closeTo(18, 1e-9);
    expect(cost.cpuMsPerRun).to.be.closeTo((6000 - 600) / 12_000, 1e-9);
    expect(cost.runsPerSecond).to.equal(400);
  });

  it('no probe runs give no per-run cost', () => {
    expect(probeCost({ cpuMs: 100, seconds: 1 }, { cpuMs: 100, seconds: 1 }, 0).cpuMsPerRun).to.be.NaN;
  });

  it('MB/s counts 10^6 bytes per second', () => {
    expect(mbPerSecond(64 * 2 ** 20, 1000)).to.be.closeTo(67.108864, 1e-9);
    expect(mbPerSecond(1e6, 500)).to.equal(2);
    expect(mbPerSecond(1e6, 0)).to.be.NaN;
  });

  it('notes the first event showing a pod ready, and only that', () => {
    const readyAt = new Map<string, number>();
    expect(noteReady(readyAt, event('WATCH_EVENT_TYPE_ADDED', 'a', false), 1)).to.equal(undefined);
    expect(noteReady(readyAt, event('WATCH_EVENT_TYPE_MODIFIED', 'a', undefined), 2)).to.equal(undefined);
    expect(noteReady(readyAt, event('WATCH_EVENT_TYPE_MODIFIED', 'a', true), 3)).to.equal('ns/a');
    expect(noteReady(readyAt, event('WATCH_EVENT_TYPE_MODIFIED', 'a', true), 4)).to.equal(undefined);
    expect(noteReady(readyAt, event('WATCH_EVENT_TYPE_DELETED', 'b', true), 5)).to.equal(undefined);
    expect(noteReady(readyAt, { type: 'WATCH_EVENT_TYPE_SYNCED' } as WatchPodsEvent__Output, 6)).to.equal(
      undefined,
    );
    expect([...readyAt]).to.deep.equal([['ns/a', 3]]);
  });
});
