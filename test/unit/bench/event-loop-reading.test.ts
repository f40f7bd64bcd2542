import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { EventLoopDelayTotals } from '../../../src/common/event-loop-delay.js';
import {
  EVENT_LOOP_DELAY_METRIC,
  histogramSamples,
  registerEventLoopDelayMetrics,
} from '../../../src/kubelet/event-loop-delay-metrics.js';
import {
  delayTotalsFromHealth,
  delayTotalsFromMetrics,
  delayWindowFigures,
} from '../../../bench/event-loop-reading.js';
import type { RunnerHealth__Output } from '../../../src/generated/vkcmd/runner/v1/RunnerHealth.js';

const reading = (cumulativeCounts: number[], count: number, maxMs: number): EventLoopDelayTotals => ({
  boundsMs: [1, 10, 50, 100],
  cumulativeCounts,
  count,
  sumMs: count * 2,
  maxMs,
});

describe('event-loop delay on the kubelet /metrics and in the bench', () => {
  it('exposes a cumulative Prometheus histogram in seconds', () => {
    const samples = histogramSamples('x', reading([5, 8, 9, 9], 10, 250));
    expect(samples.map((s) => [s.metricName, s.labels['le'] ?? '', s.value])).to.deep.equal([
      ['x_bucket', '0.001', 5],
      ['x_bucket', '0.01', 8],
      ['x_bucket', '0.05', 9],
      ['x_bucket', '0.1', 9],
      ['x_bucket', '+Inf', 10],
      ['x_sum', '', 0.02],
      ['x_count', '', 10],
    ]);
  });

  it('round-trips through the registry text and the bench parser', async () => {
    let current = reading([5, 8, 9, 9], 10, 250);
    const registry = new Registry();
    registerEventLoopDelayMetrics(registry, { totals: () => current });
    const text = await registry.metrics();
    expect(text).to.include(`# TYPE ${EVENT_LOOP_DELAY_METRIC} histogram`);
    expect(text).to.include(`${EVENT_LOOP_DELAY_METRIC}_bucket{le="+Inf"} 10`);
    expect(delayTotalsFromMetrics(text)).to.deep.equal(current);

    // A window between two scrapes: 100 more samples, 99 of them <= 1 ms and one in (10, 50].
    const before = delayTotalsFromMetrics(text);
    current = reading([104, 107, 109, 109], 110, 250);
    const after = delayTotalsFromMetrics(await registry.metrics());
    expect(delayWindowFigures(before, after)).to.deep.equal({
      count: 100,
      p99Ms: 1,
      maxMs: 50,
      maxExact: false,
    });
  });

  it('caps p99 at the exact max when both lie in the same bucket', () => {
    // One new sample of 60 ms: p99 is in (50, 100], the new all-time max is 60.
    const f = delayWindowFigures(reading([5, 8, 9, 9], 9, 40), reading([5, 8, 9, 10], 10, 60));
    expect(f).to.deep.equal({ count: 1, p99Ms: 60, maxMs: 60, maxExact: true });
  });

  it('has no figures without both readings, and none from a text without the histogram', () => {
    expect(delayTotalsFromMetrics('other_metric 1\n')).to.equal(undefined);
    const f = delayWindowFigures(undefined, reading([1, 1, 1, 1], 1, 1));
    expect(f.count).to.equal(0);
    expect(f.p99Ms).to.be.NaN;
  });

  it("reads the runner's totals from GetRunnerHealth", () => {
    const health: RunnerHealth__Output = {
      timestampMs: 2,
      startedAtMs: 1,
      eventLoopDelay: { samples: 10, p50Ms: 0.5, p99Ms: 40, maxMs: 41.5 },
      eventLoopDelaySinceLastCall: null,
      eventLoopDelayBoundsMs: [1, 10, 50, 100],
      eventLoopDelayCounts: [5, 8, 10, 10],
      eventLoopDelaySumMs: 60,
      rssBytes: 1,
      pods: 0,
      procScans: 0,
      lastProcScanRoundMs: 0,
    };
    expect(delayTotalsFromHealth(health)).to.deep.equal({
      boundsMs: [1, 10, 50, 100],
      cumulativeCounts: [5, 8, 10, 10],
      count: 10,
      sumMs: 60,
      maxMs: 41.5,
    });
    expect(delayTotalsFromHealth({ ...health, eventLoopDelay: null })).to.equal(undefined);
  });
});
