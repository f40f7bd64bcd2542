import { Gauge, type Metric, type Registry } from 'prom-client';
import { EVENT_LOOP_DELAY_RESOLUTION_MS, type EventLoopDelayTotals } from '../common/event-loop-delay.js';

export const EVENT_LOOP_DELAY_METRIC = 'vkcmd_kubelet_event_loop_delay_seconds';
export const EVENT_LOOP_DELAY_MAX_METRIC = 'vkcmd_kubelet_event_loop_delay_max_seconds';

/** One line of a Prometheus exposition, as prom-client's registry formats it. */
export interface ExpositionSample {
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The `_bucket` (cumulative, `le` in seconds, ending with `+Inf`), `_sum` and
 * `_count` samples of a Prometheus histogram holding `totals`. Pure.
 */
export function histogramSamples(name: string, totals: EventLoopDelayTotals): ExpositionSample[] {
  const samples: ExpositionSample[] = totals.boundsMs.map((boundMs, i) => ({
    metricName: `${name}_bucket`,
    labels: { le: String(boundMs / 1000) },
    value: totals.cumulativeCounts[i] ?? 0,
  }));
  samples.push(
    { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: totals.count },
    { metricName: `${name}_sum`, labels: {}, value: totals.sumMs / 1000 },
    { metricName: `${name}_count`, labels: {}, value: totals.count },
  );
  return samples;
}

/**
 * Serves the kubelet's event-loop delay on `/metrics`: a cumulative histogram
 * that is never reset, so a window (e.g. a benchmark scenario) is the
 * difference of two scrapes and any number of scrapers can read it (unlike
 * prom-client's `nodejs_eventloop_lag_*` gauges, which restart at every
 * scrape), and the longest delay since start. prom-client has no histogram
 * that takes pre-counted buckets, so the histogram is a small collector that
 * the registry formats like its own.
 */
export function registerEventLoopDelayMetrics(
  registry: Registry,
  monitor: { totals(): EventLoopDelayTotals },
): void {
  const help = `Event-loop delay of the kubelet process: how late a ${EVENT_LOOP_DELAY_RESOLUTION_MS} ms timer ran, sampled every ${EVENT_LOOP_DELAY_RESOLUTION_MS} ms since start.`;
  const collector = {
    name: EVENT_LOOP_DELAY_METRIC,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () =>
      Promise.resolve({
        name: EVENT_LOOP_DELAY_METRIC,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: histogramSamples(EVENT_LOOP_DELAY_METRIC, monitor.totals()),
      }),
    reset: (): void => undefined,
  };
  registry.registerMetric(collector as unknown as Metric);
  new Gauge({
    name: EVENT_LOOP_DELAY_MAX_METRIC,
    help: 'Longest event-loop delay of the kubelet process since it started.',
    registers: [registry],
    collect() {
      this.set(monitor.totals().maxMs / 1000);
    },
  });
}
