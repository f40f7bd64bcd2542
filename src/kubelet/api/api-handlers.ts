import type { ServerResponse } from 'node:http';
import type { WirePod } from '../kube/wire-types.js';
import type { HealthSource, KubeletApiOptions } from './kubelet-api-options.js';
import type { CpuSample } from './cpu-rate.js';
import { renderProbeMetrics } from './probe-metrics.js';
import { RepeatedFailure } from './repeated-failure.js';
import { buildStatsSummary } from './stats-summary.js';
import {
  PROMETHEUS_TEXT_CONTENT_TYPE,
  renderResourceMetrics,
  renderResourceMetricsError,
} from './resource-metrics.js';
import { renderCadvisorMetrics, renderCadvisorMetricsError } from './cadvisor-metrics.js';
import { StatsHousekeeping } from './stats-housekeeping.js';

/** cAdvisor's housekeeping interval, the kubelet's default: the oldest stats a scrape is answered with. */
export const DEFAULT_STATS_MAX_AGE_MS = 10_000;

/** Writes a complete response with a Content-Length. */
export function sendBody(res: ServerResponse, status: number, contentType: string, body: string): void {
  const buffer = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': buffer.length,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(buffer);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  sendBody(res, status, 'text/plain; charset=utf-8', body);
}

/** A v1 PodList, as the kubelet's `/pods` serves it. Pure. */
export function podListJson(pods: readonly WirePod[]): string {
  // The pods are wire objects (wire-types.ts): their times are already the API server's strings.
  return JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods });
}

function isRunning(pod: WirePod): boolean {
  return (pod.status?.containerStatuses ?? []).some((s) => s.state?.running !== undefined);
}

/** `/runningpods/`: pods with a running container, reduced to what a runtime knows of them. Pure. */
export function runningPodListJson(pods: readonly WirePod[]): string {
  const items = pods.filter(isRunning).map((pod) => ({
    metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid },
    spec: { containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image })) },
  }));
  return JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
}

/** `/healthz`: 200 `ok` while the kubelet is alive, else 500. */
export function sendHealthz(res: ServerResponse, health: HealthSource): void {
  if (health.healthy()) sendText(res, 200, 'ok');
  else sendText(res, 500, 'unhealthy');
}

/** `/readyz`: 200 `ok` once registered and synced with the runner, else 500 with the reason. */
export function sendReadyz(res: ServerResponse, health: HealthSource): void {
  const { ready, reason } = health.ready();
  if (ready) sendText(res, 200, 'ok');
  else sendText(res, 500, `not ready: ${reason}`);
}

/**
 * The non-streaming routes. Holds the previous CPU sample so `/stats/summary`
 * can report rates; otherwise stateless. Handlers reject with the shared error
 * kinds (src/common/errors.ts) and leave the response untouched when they do.
 */
export class ApiHandlers {
  private cpuSamples: ReadonlyMap<string, CpuSample> = new Map();
  private readonly resourceStatsFailures = new RepeatedFailure();
  private readonly cadvisorStatsFailures = new RepeatedFailure();
  /** The stats every stats route answers with: collected ahead of the scrapes (stats-housekeeping.ts). */
  private readonly stats: StatsHousekeeping;

  constructor(
    private readonly options: KubeletApiOptions,
    private readonly nowMs: () => number,
    private readonly runnerTimeoutMs: number,
  ) {
    this.stats = new StatsHousekeeping({
      collect: () => options.runner.getStats(runnerTimeoutMs),
      nowMs,
      maxAgeMs: options.statsMaxAgeMs ?? DEFAULT_STATS_MAX_AGE_MS,
      phase: options.statsPhase,
    });
  }

  /** Cancels the stats collection armed ahead of the next scrape. */
  stop(): void {
    this.stats.stop();
  }

  async statsSummary(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const stats = await this.stats.get();
    const { summary, samples } = buildStatsSummary({
      nodeName: this.options.nodeName,
      stats,
      pods: this.options.pods.list(),
      previous: this.cpuSamples,
      nowMs: this.nowMs(),
      onlyCpuAndMemory: query.get('only_cpu_and_memory') === 'true',
    });
    this.cpuSamples = samples;
    sendBody(res, 200, 'application/json', JSON.stringify(summary));
  }

  async resourceMetrics(res: ServerResponse): Promise<void> {
    let body: string;
    try {
      const stats = await this.stats.get();
      body = renderResourceMetrics(stats, this.options.pods.list(), this.nowMs());
      const failures = this.resourceStatsFailures.succeeded();
      if (failures > 0)
        this.options.logger.info({ failures }, 'Stats for the resource metrics endpoint again');
    } catch (err) {
      // As the kubelet: a failed collection is a 200 whose resource_scrape_error reads 1.
      // Warned once per run of failures: metrics-server scrapes every node every 15 s.
      const level = this.resourceStatsFailures.failed() ? 'warn' : 'debug';
      this.options.logger[level]({ err }, 'Error getting stats for the resource metrics endpoint');
      body = renderResourceMetricsError();
    }
    sendBody(res, 200, PROMETHEUS_TEXT_CONTENT_TYPE, body);
  }

  async cadvisorMetrics(res: ServerResponse): Promise<void> {
    let body: string;
    try {
      const stats = await this.stats.get();
      body = renderCadvisorMetrics(stats, this.options.pods.list(), this.nowMs());
      const failures = this.cadvisorStatsFailures.succeeded();
      if (failures > 0)
        this.options.logger.info({ failures }, 'Stats for the cAdvisor metrics endpoint again');
    } catch (err) {
      // As cAdvisor: a failed collection is a 200 whose container_scrape_error reads 1 (warned once per run).
      const level = this.cadvisorStatsFailures.failed() ? 'warn' : 'debug';
      this.options.logger[level]({ err }, 'Error getting stats for the cAdvisor metrics endpoint');
      body = renderCadvisorMetricsError();
    }
    sendBody(res, 200, PROMETHEUS_TEXT_CONTENT_TYPE, body);
  }

  /** `/metrics/probes`: prober_probe_total from the runner, which runs the probes. */
  async probeMetrics(res: ServerResponse): Promise<void> {
    const metrics = await this.options.runner.getProbeMetrics(this.runnerTimeoutMs);
    sendBody(res, 200, PROMETHEUS_TEXT_CONTENT_TYPE, renderProbeMetrics(metrics.counters));
  }

  pods(res: ServerResponse): void {
    sendBody(res, 200, 'application/json', podListJson(this.options.pods.list()));
  }

  runningPods(res: ServerResponse): void {
    sendBody(res, 200, 'application/json', runningPodListJson(this.options.pods.list()));
  }

  healthz(res: ServerResponse): void {
    sendHealthz(res, this.options.health);
  }

  readyz(res: ServerResponse): void {
    sendReadyz(res, this.options.health);
  }

  async metrics(res: ServerResponse): Promise<void> {
    const { contentType, text } = await this.options.metrics.exposition();
    sendBody(res, 200, contentType, text);
  }
}
