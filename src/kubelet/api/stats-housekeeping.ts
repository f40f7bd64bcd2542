import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';

/*
 * The kubelet serves /metrics/resource, /metrics/cadvisor and /stats/summary
 * from cAdvisor's last housekeeping round, not from a collection per request.
 * vk-cmd does the same with the runner's GetStats: metrics-server scrapes
 * every node at the same instant, and a GetStats costs the runner a scan of
 * /proc. Answered one collection per request, a fleet's runners on one host
 * (or one busy login node) all scan at once, every scrape interval, and the
 * pods starting then wait behind them (bench/README.md, "Scrapes in step").
 * So each node's collection runs ahead of the scrape it expects, at a phase
 * of its own, and the scrape takes it: the same number of collections,
 * spread over the interval instead of stacked on one instant. Every sample
 * keeps the collection's own timestamp, as cAdvisor's do.
 */

/** Shortest request interval worth collecting ahead of; faster callers share the cache anyway. */
export const MIN_AHEAD_INTERVAL_MS = 2_000;
/** Longest: a caller gone quiet for this long is not expected back on time. */
export const MAX_AHEAD_INTERVAL_MS = 10 * 60_000;
/** The age a collection ahead has at the expected request: this share of the usable age ... */
const AGE_FLOOR_SHARE = 0.1;
/** ... plus up to this share, by phase, so nodes spread and a late request still finds it fresh. */
const AGE_SPREAD_SHARE = 0.6;

/** Whether a collection started at `takenAtMs` may answer a request at `nowMs`. Pure. */
export function collectionFresh(takenAtMs: number | undefined, nowMs: number, maxAgeMs: number): boolean {
  return takenAtMs !== undefined && nowMs >= takenAtMs && nowMs - takenAtMs <= maxAgeMs;
}

/**
 * When to collect ahead of the next request, in ms from the request just
 * answered, if requests keep coming `requestIntervalMs` apart: so that the
 * collection is between 10 % and 70 % of the usable age old (by `phase`, in
 * [0, 1)) when the next request comes. Undefined when there is nothing to
 * collect ahead: no interval known yet, one too short or too long to expect, or
 * caching off (maxAgeMs 0). Pure.
 */
export function aheadDelayMs(
  requestIntervalMs: number | undefined,
  maxAgeMs: number,
  phase: number,
): number | undefined {
  if (maxAgeMs <= 0 || requestIntervalMs === undefined) return undefined;
  if (requestIntervalMs < MIN_AHEAD_INTERVAL_MS || requestIntervalMs > MAX_AHEAD_INTERVAL_MS)
    return undefined;
  const usableAgeMs = Math.min(requestIntervalMs, maxAgeMs);
  const share = AGE_FLOOR_SHARE + AGE_SPREAD_SHARE * Math.min(Math.max(phase, 0), 1);
  return Math.round(requestIntervalMs - usableAgeMs * share);
}

/** Timers, injected so tests drive them. */
export interface HousekeepingTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: HousekeepingTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface StatsHousekeepingOptions {
  /** One collection from the runner, within its own deadline; rejects with the runner link's error kinds. */
  collect: () => Promise<Stats__Output>;
  nowMs: () => number;
  /** A collection answers requests until it is this old; 0 collects for every request. */
  maxAgeMs: number;
  /** This node's place in the interval, [0, 1); random by default so a fleet's nodes spread. */
  phase?: number;
  timers?: HousekeepingTimers;
}

/**
 * One node's stats cache. Contract:
 * - `get` resolves with a collection at most `maxAgeMs` old, started by this
 *   request or an earlier one; concurrent requests share one collection. It
 *   rejects as `collect` does; a failed collection is not cached.
 * - After each request it arms one collection ahead of the next, expected
 *   one request interval later (aheadDelayMs). Callers that stop asking
 *   cost one more collection at most; a failed collection ahead is dropped
 *   and the next request collects itself.
 * - `stop` cancels the collection ahead; `get` still works after it, without any.
 */
export class StatsHousekeeping {
  private last: { stats: Stats__Output; takenAtMs: number } | undefined;
  private inFlight: Promise<Stats__Output> | undefined;
  private lastRequestAtMs: number | undefined;
  private aheadTimer: unknown;
  private stopped = false;
  private readonly phase: number;
  private readonly timers: HousekeepingTimers;
  /** Collections made ahead of a request (for tests). */
  collectionsAhead = 0;

  constructor(private readonly options: StatsHousekeepingOptions) {
    this.phase = options.phase ?? Math.random();
    this.timers = options.timers ?? NODE_TIMERS;
  }

  get(): Promise<Stats__Output> {
    const now = this.options.nowMs();
    const intervalMs = this.lastRequestAtMs === undefined ? undefined : now - this.lastRequestAtMs;
    this.lastRequestAtMs = now;
    this.armAhead(aheadDelayMs(intervalMs, this.options.maxAgeMs, this.phase));
    const last = this.last;
    if (last && collectionFresh(last.takenAtMs, now, this.options.maxAgeMs))
      return Promise.resolve(last.stats);
    return this.collect();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private collect(): Promise<Stats__Output> {
    if (this.inFlight) return this.inFlight;
    const takenAtMs = this.options.nowMs();
    const call = this.options.collect().then(
      (stats) => {
        this.inFlight = undefined;
        if (this.options.maxAgeMs > 0) this.last = { stats, takenAtMs };
        return stats;
      },
      (err: unknown) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    this.inFlight = call;
    return call;
  }

  private armAhead(delayMs: number | undefined): void {
    this.disarm();
    if (delayMs === undefined || this.stopped) return;
    this.aheadTimer = this.timers.setTimeout(() => {
      this.aheadTimer = undefined;
      if (this.stopped) return;
      this.collectionsAhead++;
      // Dropped on failure: the next request collects itself and gets the error.
      this.collect().catch(() => undefined);
    }, delayMs);
  }

  private disarm(): void {
    if (this.aheadTimer === undefined) return;
    this.timers.clearTimeout(this.aheadTimer);
    this.aheadTimer = undefined;
  }
}
