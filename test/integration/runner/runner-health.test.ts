import { expect } from 'chai';
import {
  EVENT_LOOP_DELAY_BOUNDS_MS,
  EVENT_LOOP_DELAY_RESOLUTION_MS,
} from '../../../src/common/event-loop-delay.js';
import type { RunnerHealth__Output } from '../../../src/generated/vkcmd/runner/v1/RunnerHealth.js';
import { RunnerHarness, scriptPod, unary } from './support/runner-harness.js';

describe('runner: GetRunnerHealth', function () {
  this.timeout(60_000);
  let h: RunnerHarness;

  before(async () => {
    h = new RunnerHarness();
    await h.startInProcess();
  });
  after(async () => h.close());

  const health = (): Promise<RunnerHealth__Output> => unary(h.client, 'GetRunnerHealth', {});

  it('reports event-loop delay since start, since the last call and as a cumulative histogram', async () => {
    const first = await health();
    // Blocks this process's event loop (the runner runs in it) for a sample well above 50 ms. The
    // sample is the time since the timer last ran minus its period, and it last ran up to a period
    // before the block began: a block of 100 ms + one period gives a delay of at least 100 ms.
    await new Promise((r) => setTimeout(r, 30));
    const until = Date.now() + 100 + EVENT_LOOP_DELAY_RESOLUTION_MS + 20;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 30));
    const second = await health();

    expect(second.eventLoopDelayBoundsMs).to.deep.equal([...EVENT_LOOP_DELAY_BOUNDS_MS]);
    expect(second.eventLoopDelayCounts).to.have.length(EVENT_LOOP_DELAY_BOUNDS_MS.length);
    // Cumulative: never decreasing between calls, nor along the bounds.
    second.eventLoopDelayCounts.forEach((c, i) => {
      expect(c).to.be.at.least(first.eventLoopDelayCounts[i]!);
      if (i > 0) expect(c).to.be.at.least(second.eventLoopDelayCounts[i - 1]!);
    });
    const since = second.eventLoopDelaySinceLastCall!;
    const total = second.eventLoopDelay!;
    expect(total.samples).to.be.greaterThan(first.eventLoopDelay!.samples);
    expect(since.samples).to.equal(total.samples - first.eventLoopDelay!.samples);
    expect(since.maxMs).to.be.at.least(100);
    expect(total.maxMs).to.be.at.least(100);
    expect(since.p50Ms).to.be.at.most(since.p99Ms);
    const at50 = EVENT_LOOP_DELAY_BOUNDS_MS.indexOf(50);
    expect(second.eventLoopDelayCounts[at50]! - first.eventLoopDelayCounts[at50]!).to.be.lessThan(
      since.samples,
    );
    expect(second.eventLoopDelaySumMs).to.be.greaterThan(first.eventLoopDelaySumMs);
  });

  it('reports RSS, pods, /proc scans and when the runner started', async () => {
    const before = await health();
    const spec = scriptPod('health', 'sleep 30');
    await unary(h.client, 'CreatePod', { pod: spec });
    await unary(h.client, 'GetStats', {}); // one full /proc scan
    const after = await health();
    expect(after.pods).to.equal(before.pods + 1);
    expect(after.procScans).to.be.greaterThan(before.procScans);
    expect(after.lastProcScanRoundMs).to.be.greaterThan(0);
    expect(after.rssBytes).to.be.greaterThan(10 * 2 ** 20);
    expect(after.startedAtMs).to.be.greaterThan(0).and.at.most(after.timestampMs);
    expect(after.timestampMs).to.be.at.least(before.timestampMs);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
  });
});
