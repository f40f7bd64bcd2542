import type { WirePod } from '../kube/wire-types.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import { joinPodStats } from './pod-stats-join.js';
import { renderPrometheusText, type PromFamily, type PromSample } from './prometheus-text.js';

/** Content type of the Prometheus text format, as the kubelet serves `/metrics/resource`. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const SCRAPE_ERROR_HELP = '1 if there was an error while getting container metrics, 0 otherwise';

function scrapeErrorFamilies(errorCount: number): PromFamily[] {
  return [
    {
      name: 'resource_scrape_error',
      help: `[STABLE] ${SCRAPE_ERROR_HELP}`,
      type: 'gauge',
      samples: [{ labels: [], value: errorCount }],
    },
    {
      name: 'scrape_error',
      help: `[ALPHA] (Deprecated since 1.29.0) ${SCRAPE_ERROR_HELP}`,
      type: 'gauge',
      samples: [{ labels: [], value: errorCount }],
    },
  ];
}

/** `/metrics/resource` when the runner could not be asked: only the error gauges, set to 1. */
export function renderResourceMetricsError(): string {
  return renderPrometheusText(scrapeErrorFamilies(1));
}

// metrics-server drops a pod whose CPU or memory reads 0; a running container always has some.
const MIN_CPU_SECONDS = 1e-9;
const MIN_BYTES = 1;

/**
 * Renders `/metrics/resource` exactly as a kubelet does (names, HELP/TYPE
 * lines, label order, millisecond timestamps, container start times) from one
 * runner sample joined with the pods bound to the node. Pure.
 */
export function renderResourceMetrics(stats: Stats__Output, pods: readonly WirePod[], nowMs: number): string {
  const timestampMs = stats.timestampMs > 0 ? stats.timestampMs : nowMs;
  const family = (name: string, type: 'counter' | 'gauge', help: string): PromFamily => ({
    name,
    type,
    help: `[STABLE] ${help}`,
    samples: [],
  });
  const nodeCpu = family(
    'node_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the node in core-seconds',
  );
  const nodeMemory = family(
    'node_memory_working_set_bytes',
    'gauge',
    'Current working set of the node in bytes',
  );
  const containerCpu = family(
    'container_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the container in core-seconds',
  );
  const containerMemory = family(
    'container_memory_working_set_bytes',
    'gauge',
    'Current working set of the container in bytes',
  );
  const containerStart = family(
    'container_start_time_seconds',
    'gauge',
    'Start time of the container since unix epoch in seconds',
  );
  const podCpu = family(
    'pod_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed by the pod in core-seconds',
  );
  const podMemory = family(
    'pod_memory_working_set_bytes',
    'gauge',
    'Current working set of the pod in bytes',
  );

  const node = stats.node;
  if (node) {
    nodeCpu.samples.push(
      sample([], Math.max(MIN_CPU_SECONDS, node.cpuUsageCoreNanoseconds / 1e9), timestampMs),
    );
    nodeMemory.samples.push(sample([], Math.max(MIN_BYTES, node.memoryWorkingSetBytes), timestampMs));
  }
  for (const pod of joinPodStats(stats, pods)) {
    let podCpuSeconds = 0;
    let podBytes = 0;
    for (const c of pod.stats.containers) {
      const labels: Array<[string, string]> = [
        ['container', c.name],
        ['namespace', pod.namespace],
        ['pod', pod.name],
      ];
      const cpuSeconds = Math.max(MIN_CPU_SECONDS, c.cpuUsageCoreNanoseconds / 1e9);
      const bytes = Math.max(MIN_BYTES, c.memoryWorkingSetBytes);
      podCpuSeconds += cpuSeconds;
      podBytes += bytes;
      containerCpu.samples.push(sample(labels, cpuSeconds, timestampMs));
      containerMemory.samples.push(sample(labels, bytes, timestampMs));
      // As the kubelet: the start time carries no timestamp of its own.
      if (c.startedAtMs > 0) containerStart.samples.push(sample(labels, c.startedAtMs / 1000, undefined));
    }
    if (pod.stats.containers.length === 0) continue;
    const labels: Array<[string, string]> = [
      ['namespace', pod.namespace],
      ['pod', pod.name],
    ];
    podCpu.samples.push(sample(labels, podCpuSeconds, timestampMs));
    podMemory.samples.push(sample(labels, podBytes, timestampMs));
  }
  return renderPrometheusText([
    nodeCpu,
    nodeMemory,
    containerCpu,
    containerMemory,
    containerStart,
    podCpu,
    podMemory,
    ...scrapeErrorFamilies(0),
  ]);
}

function sample(labels: Array<[string, string]>, value: number, timestampMs: number | undefined): PromSample {
  return timestampMs === undefined ? { labels, value } : { labels, value, timestampMs };
}
