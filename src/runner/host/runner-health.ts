import {
  quantileUpperBoundMs,
  subtractTotals,
  type EventLoopDelayTotals,
  type EventLoopDelayWindow,
} from '../../common/event-loop-delay.js';
import type { EventLoopDelay } from '../../generated/vkcmd/runner/v1/EventLoopDelay.js';
import type { RunnerHealth } from '../../generated/vkcmd/runner/v1/RunnerHealth.js';

/** Answers GetRunnerHealth. */
export interface RunnerHealthSource {
  health(): RunnerHealth;
}

/** What the runner's health is read from; each part is cheap (no /proc scan). */
export interface RunnerHealthInputs {
  /** The process's event-loop delay monitor (EventLoopDelayMonitor). */
  delay: { totals(): EventLoopDelayTotals; sinceStart(): EventLoopDelayWindow };
  podCount(): number;
  /** Full /proc scans so far and the duration of the last round (ProcessScanner). */
  scans(): { count: number; lastRoundMs: number };
  rssBytes(): number;
  nowMs(): number;
  startedAtMs: number;
}

/** The figures of a window of samples, NaN-free for the wire (0 = none). Pure. */
export function delayMessage(window: EventLoopDelayWindow): EventLoopDelay {
  const finite = (v: number): number => (Number.isFinite(v) ? v : 0);
  return {
    samples: window.count,
    p50Ms: finite(window.p50Ms),
    p99Ms: finite(window.p99Ms),
    maxMs: finite(window.maxMs),
  };
}

/**
 * The event-loop delay between two readings of the cumulative totals, as the
 * wire reports it: p50 and p99 are bucket upper bounds (capped by the max
 * when that is exact), max exact when it is a new all-time max. A quantile
 * above the last bound is reported as the all-time max, the only finite bound
 * known for it. Pure.
 */
export function windowSince(before: EventLoopDelayTotals, now: EventLoopDelayTotals): EventLoopDelayWindow {
  const w = subtractTotals(before, now);
  const bound = (q: number): number => {
    const v = quantileUpperBoundMs(w, q);
    if (v === Number.POSITIVE_INFINITY) return now.maxMs;
    // A bucket's bound can exceed the exact max that lies in the same bucket.
    return w.maxExact ? Math.min(v, w.maxMs) : v;
  };
  return {
    count: w.count,
    p50Ms: bound(0.5),
    p99Ms: bound(0.99),
    maxMs: w.maxMs === Number.POSITIVE_INFINITY ? now.maxMs : w.maxMs,
  };
}

/**
 * GetRunnerHealth: the runner process's event-loop delay (since start, exact;
 * since the previous call; and the cumulative histogram from which a client
 * takes its own windows), RSS, pods and /proc scans.
 */
export class RunnerHealthReporter implements RunnerHealthSource {
  private previous: EventLoopDelayTotals | undefined;

  constructor(private readonly inputs: RunnerHealthInputs) {}

  health(): RunnerHealth {
    const i = this.inputs;
    const totals = i.delay.totals();
    const before = this.previous ?? {
      ...totals,
      cumulativeCounts: totals.boundsMs.map(() => 0),
      count: 0,
      sumMs: 0,
      maxMs: 0,
    };
    this.previous = totals;
    const scans = i.scans();
    return {
      timestampMs: i.nowMs(),
      startedAtMs: i.startedAtMs,
      eventLoopDelay: delayMessage(i.delay.sinceStart()),
      eventLoopDelaySinceLastCall: delayMessage(windowSince(before, totals)),
      eventLoopDelayBoundsMs: [...totals.boundsMs],
      eventLoopDelayCounts: totals.cumulativeCounts,
      eventLoopDelaySumMs: totals.sumMs,
      rssBytes: i.rssBytes(),
      pods: i.podCount(),
      procScans: scans.count,
      lastProcScanRoundMs: scans.lastRoundMs,
    };
  }
}
