import type { WirePod } from '../kube/wire-types.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import { joinPodStats } from './pod-stats-join.js';
import { renderPrometheusText, type PromFamily, type PromSample } from './prometheus-text.js';

/** The kubelet's label names for cAdvisor series, in the order the Go client writes them (sorted). */
interface CadvisorLabels {
  container: string;
  id: string;
  image: string;
  name: string;
  namespace: string;
  pod: string;
}

/** One cgroup as cAdvisor would see it: the root, a pod or a container. */
interface CgroupSample {
  labels: CadvisorLabels;
  cpuSeconds: number;
  workingSetBytes: number;
  rssBytes: number;
  fsUsageBytes: number;
  /** Epoch seconds; 0 when unknown (no series then). */
  startTimeSeconds: number;
}

const SCRAPE_ERROR_HELP = '1 if there was an error while getting container metrics, 0 otherwise';

function scrapeError(value: number): PromFamily {
  return {
    name: 'container_scrape_error',
    help: SCRAPE_ERROR_HELP,
    type: 'gauge',
    samples: [{ labels: [], value }],
  };
}

/** `/metrics/cadvisor` when the runner could not be asked: cAdvisor's error gauge set to 1. */
export function renderCadvisorMetricsError(): string {
  return renderPrometheusText([scrapeError(1)]);
}

/** vk-cmd's stand-in for a cgroup path: one per pod, one per container under it. */
export function cgroupId(podUid: string, container?: string): string {
  return container === undefined ? `/vk-cmd/pod${podUid}` : `/vk-cmd/pod${podUid}/${container}`;
}

function specImage(pod: WirePod, container: string): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.find((c) => c.name === container)?.image ?? '';
}

function containerIdOf(pod: WirePod, container: string): string {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return all.find((s) => s.name === container)?.containerID ?? '';
}

const EMPTY_LABELS: CadvisorLabels = { container: '', id: '/', image: '', name: '', namespace: '', pod: '' };

/** The cgroups of one runner sample: the root (the node), then each pod and its containers. Pure. */
export function cgroupSamples(stats: Stats__Output, pods: readonly WirePod[]): CgroupSample[] {
  const samples: CgroupSample[] = [];
  const node = stats.node;
  if (node) {
    samples.push({
      labels: EMPTY_LABELS,
      cpuSeconds: node.cpuUsageCoreNanoseconds / 1e9,
      workingSetBytes: node.memoryWorkingSetBytes,
      rssBytes: node.memoryRssBytes,
      fsUsageBytes: Math.max(0, node.fsCapacityBytes - node.fsAvailableBytes),
      startTimeSeconds: Math.floor(node.bootTimeMs / 1000),
    });
  }
  for (const joined of joinPodStats(stats, pods)) {
    const containers = joined.stats.containers;
    if (containers.length === 0) continue;
    const podLabels = { namespace: joined.namespace, pod: joined.name };
    const starts = containers.map((c) => c.startedAtMs).filter((ms) => ms > 0);
    samples.push({
      labels: { ...EMPTY_LABELS, ...podLabels, id: cgroupId(joined.uid) },
      cpuSeconds: containers.reduce((sum, c) => sum + c.cpuUsageCoreNanoseconds, 0) / 1e9,
      workingSetBytes: containers.reduce((sum, c) => sum + c.memoryWorkingSetBytes, 0),
      rssBytes: containers.reduce((sum, c) => sum + c.memoryRssBytes, 0),
      fsUsageBytes: containers.reduce((sum, c) => sum + c.rootfsBytes + c.logsBytes, 0),
      startTimeSeconds: starts.length > 0 ? Math.floor(Math.min(...starts) / 1000) : 0,
    });
    for (const c of containers) {
      samples.push({
        labels: {
          ...podLabels,
          container: c.name,
          id: cgroupId(joined.uid, c.name),
          image: specImage(joined.pod, c.name),
          name: containerIdOf(joined.pod, c.name),
        },
        cpuSeconds: c.cpuUsageCoreNanoseconds / 1e9,
        workingSetBytes: c.memoryWorkingSetBytes,
        rssBytes: c.memoryRssBytes,
        // Everything the container writes lives in its directory: files and its stdout/stderr.
        fsUsageBytes: c.rootfsBytes + c.logsBytes,
        startTimeSeconds: Math.floor(c.startedAtMs / 1000),
      });
    }
  }
  return samples;
}

function labelPairs(labels: CadvisorLabels, extra: Array<[string, string]> = []): Array<[string, string]> {
  const pairs: Array<[string, string]> = [...Object.entries(labels), ...extra];
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Renders `/metrics/cadvisor` as a kubelet's embedded cAdvisor does for the
 * series vk-cmd can fill: names, help, types and labels (container, id,
 * image, name, namespace, pod; `cpu="total"` as without per-CPU stats; an
 * empty `device` for file systems, which the runner does not name), sample
 * timestamps from the runner's sample, the start time without one. The root
 * cgroup `id="/"` is the node; pods and containers follow. Pure.
 */
export function renderCadvisorMetrics(stats: Stats__Output, pods: readonly WirePod[], nowMs: number): string {
  const timestampMs = stats.timestampMs > 0 ? stats.timestampMs : nowMs;
  const family = (name: string, type: 'counter' | 'gauge', help: string): PromFamily => ({
    name,
    type,
    help,
    samples: [],
  });
  const cpu = family(
    'container_cpu_usage_seconds_total',
    'counter',
    'Cumulative cpu time consumed in seconds.',
  );
  const workingSet = family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
  const rss = family('container_memory_rss', 'gauge', 'Size of RSS in bytes.');
  const fsUsage = family(
    'container_fs_usage_bytes',
    'gauge',
    'Number of bytes that are consumed by the container on this filesystem.',
  );
  const startTime = family(
    'container_start_time_seconds',
    'gauge',
    'Start time of the container since unix epoch in seconds.',
  );
  const at = (labels: Array<[string, string]>, value: number): PromSample => ({ labels, value, timestampMs });
  for (const s of cgroupSamples(stats, pods)) {
    // cAdvisor leaves out a CPU counter that has not moved yet.
    if (s.cpuSeconds > 0) cpu.samples.push(at(labelPairs(s.labels, [['cpu', 'total']]), s.cpuSeconds));
    workingSet.samples.push(at(labelPairs(s.labels), s.workingSetBytes));
    rss.samples.push(at(labelPairs(s.labels), s.rssBytes));
    fsUsage.samples.push(at(labelPairs(s.labels, [['device', '']]), s.fsUsageBytes));
    if (s.startTimeSeconds > 0)
      startTime.samples.push({ labels: labelPairs(s.labels), value: s.startTimeSeconds });
  }
  return renderPrometheusText([cpu, workingSet, rss, fsUsage, startTime, scrapeError(0)]);
}
