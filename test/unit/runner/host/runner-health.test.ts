import { expect } from 'chai';
import type { EventLoopDelayTotals, EventLoopDelayWindow } from '../../../../src/common/event-loop-delay.js';
import {
  RunnerHealthReporter,
  delayMessage,
  windowSince,
} from '../../../../src/runner/host/runner-health.js';

const totals = (
  cumulativeCounts: number[],
  count: number,
  maxMs: number,
  sumMs = 0,
): EventLoopDelayTotals => ({
  boundsMs: [10, 50, 100],
  cumulativeCounts,
  count,
  sumMs,
  maxMs,
});

describe('runner health', () => {
  it('puts a window on the wire without NaN', () => {
    expect(delayMessage({ count: 0, p50Ms: NaN, p99Ms: NaN, maxMs: NaN })).to.deep.equal({
      samples: 0,
      p50Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
    expect(delayMessage({ count: 3, p50Ms: 1, p99Ms: 2, maxMs: 3 })).to.deep.equal({
      samples: 3,
      p50Ms: 1,
      p99Ms: 2,
      maxMs: 3,
    });
  });

  it('reads a window between two readings: bucket bounds, an exact new max', () => {
    const w = windowSince(totals([90, 99, 100], 100, 80), totals([180, 199, 201], 201, 95));
    expect(w).to.deep.equal({ count: 101, p50Ms: 10, p99Ms: 50, maxMs: 95 });
  });

  it('caps a quantile at the exact max when both lie in the same bucket', () => {
    const w = windowSince(totals([90, 99, 100], 100, 40), totals([90, 99, 101], 101, 61));
    expect(w).to.deep.equal({ count: 1, p50Ms: 61, p99Ms: 61, maxMs: 61 });
  });

  it('a quantile above the last bound is reported as the all-time max', () => {
    const w = windowSince(totals([0, 0, 0], 0, 0), totals([0, 0, 0], 2, 4000));
    expect(w).to.deep.equal({ count: 2, p50Ms: 4000, p99Ms: 4000, maxMs: 4000 });
  });

  it('answers since start, since the previous call and the cumulative histogram', () => {
    let current = totals([8, 9, 10], 10, 70, 40);
    const sinceStart: EventLoopDelayWindow = { count: 10, p50Ms: 1, p99Ms: 60, maxMs: 70 };
    let scans = { count: 4, lastRoundMs: 1.5 };
    const reporter = new RunnerHealthReporter({
      delay: { totals: () => current, sinceStart: () => sinceStart },
      podCount: () => 3,
      scans: () => scans,
      rssBytes: () => 50e6,
      nowMs: () => 2000,
      startedAtMs: 1000,
    });
    const first = reporter.health();
    expect(first).to.deep.include({
      timestampMs: 2000,
      startedAtMs: 1000,
      eventLoopDelayBoundsMs: [10, 50, 100],
      eventLoopDelayCounts: [8, 9, 10],
      eventLoopDelaySumMs: 40,
      rssBytes: 50e6,
      pods: 3,
      procScans: 4,
      lastProcScanRoundMs: 1.5,
    });
    expect(first.eventLoopDelay).to.deep.equal({ samples: 10, p50Ms: 1, p99Ms: 60, maxMs: 70 });
    // The first call's window is everything since start; p99 (bucket 50-100) is capped by the exact max.
    expect(first.eventLoopDelaySinceLastCall).to.deep.equal({
      samples: 10,
      p50Ms: 10,
      p99Ms: 70,
      maxMs: 70,
    });

    current = totals([18, 19, 20], 20, 70, 50);
    scans = { count: 5, lastRoundMs: 2 };
    const second = reporter.health();
    // Ten more samples, all <= 10 ms; the all-time max did not move, so max is a bound.
    expect(second.eventLoopDelaySinceLastCall).to.deep.equal({
      samples: 10,
      p50Ms: 10,
      p99Ms: 10,
      maxMs: 10,
    });
    expect(second.procScans).to.equal(5);
  });
});
