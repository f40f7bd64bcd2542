import {
  quantileUpperBoundMs,
  subtractTotals,
  type EventLoopDelayTotals,
} from '../src/common/event-loop-delay.js';
import {
  EVENT_LOOP_DELAY_MAX_METRIC,
  EVENT_LOOP_DELAY_METRIC,
} from '../src/kubelet/event-loop-delay-metrics.js';
import type { RunnerHealth__Output } from '../src/generated/vkcmd/runner/v1/RunnerHealth.js';
import { parseSamples } from './prom-text.js';

/**
 * The kubelet's event-loop delay totals from its `/metrics` text (the
 * cumulative histogram and the all-time max); undefined when it serves none.
 * Pure.
 */
export function delayTotalsFromMetrics(text: string): EventLoopDelayTotals | undefined {
  const buckets = parseSamples(text, `${EVENT_LOOP_DELAY_METRIC}_bucket`)
    .map((s) => ({ le: s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']), value: s.value }))
    .filter((b) => Number.isFinite(b.le))
    .sort((a, b) => a.le - b.le);
  const count = parseSamples(text, `${EVENT_LOOP_DELAY_METRIC}_count`)[0]?.value;
  if (buckets.length === 0 || count === undefined) return undefined;
  return {
    boundsMs: buckets.map((b) => Math.round(b.le * 1e6) / 1e3),
    cumulativeCounts: buckets.map((b) => b.value),
    count,
    sumMs: (parseSamples(text, `${EVENT_LOOP_DELAY_METRIC}_sum`)[0]?.value ?? Number.NaN) * 1000,
    maxMs: (parseSamples(text, EVENT_LOOP_DELAY_MAX_METRIC)[0]?.value ?? Number.NaN) * 1000,
  };
}

/** Delay totals from a GetRunnerHealth answer (its cumulative histogram and all-time max). Pure. */
export function delayTotalsFromHealth(health: RunnerHealth__Output): EventLoopDelayTotals | undefined {
  const all = health.eventLoopDelay;
  if (!all || health.eventLoopDelayBoundsMs.length === 0) return undefined;
  return {
    boundsMs: health.eventLoopDelayBoundsMs,
    cumulativeCounts: health.eventLoopDelayCounts,
    count: all.samples,
    sumMs: health.eventLoopDelaySumMs,
    maxMs: all.maxMs,
  };
}

/** The figures the report shows for one process over a window. */
export interface DelayFigures {
  /** Samples (one per 50 ms of the window). */
  count: number;
  /** Upper bound of the bucket holding the 99th percentile (or the exact max, when lower). */
  p99Ms: number;
  maxMs: number;
  /** False when `maxMs` is a bucket's upper bound rather than the exact longest delay. */
  maxExact: boolean;
}

/** p99 and max of the window between two readings of the same process; NaN when either is missing. Pure. */
export function delayWindowFigures(
  before: EventLoopDelayTotals | undefined,
  after: EventLoopDelayTotals | undefined,
): DelayFigures {
  if (!before || !after) return { count: 0, p99Ms: Number.NaN, maxMs: Number.NaN, maxExact: false };
  const window = subtractTotals(before, after);
  const p99 = quantileUpperBoundMs(window, 0.99);
  return {
    count: window.count,
    // A bucket's bound can exceed the exact max that lies in the same bucket.
    p99Ms: window.maxExact ? Math.min(p99, window.maxMs) : p99,
    maxMs: window.maxMs,
    maxExact: window.maxExact,
  };
}
