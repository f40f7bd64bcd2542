import type { Registry } from 'prom-client';
import type { ProcessMetricsText } from '../kubelet-metrics.js';

/** How old the process metrics a node serves may be (a Prometheus scrape interval is 15 s or more). */
export const PROCESS_METRICS_MAX_AGE_MS = 5_000;

/**
 * --fleet: the process's metrics (process_*, nodejs_*, the event loop),
 * collected at most once per `maxAgeMs` and served by every node. They are
 * the same for every node, and collecting them reads /proc/self/fd (one
 * entry per socket: thousands with a thousand nodes) and the active
 * handles, so collecting them on each node's scrape cost nodes x sockets.
 * Concurrent scrapes share one collection; a failed one is not kept.
 */
export class SharedProcessMetrics implements ProcessMetricsText {
  private cached: { atMs: number; text: Promise<string> } | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly maxAgeMs = PROCESS_METRICS_MAX_AGE_MS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  text(): Promise<string> {
    const nowMs = this.nowMs();
    if (!this.cached || nowMs - this.cached.atMs >= this.maxAgeMs) {
      const text = this.registry.metrics();
      const entry = { atMs: nowMs, text };
      this.cached = entry;
      text.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.text;
  }
}
