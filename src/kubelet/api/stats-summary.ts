import type { WirePod } from '../kube/wire-types.js';
import type { ContainerStats__Output } from '../../generated/vkcmd/runner/v1/ContainerStats.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import { cpuNanoCores, type CpuSample } from './cpu-rate.js';
import { rfc3339, timeMs as apiTimeMs } from '../kube-time.js';
import { joinPodStats } from './pod-stats-join.js';

// The stats/v1alpha1 Summary schema (k8s.io/kubelet/pkg/apis/stats/v1alpha1), the
// fields this node can fill. Optional fields are left out, as the kubelet's omitempty does.
export interface CpuStats {
  time: string;
  usageNanoCores: number;
  usageCoreNanoSeconds: number;
}
export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
}
export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes: number;
}
export interface ContainerSummary {
  name: string;
  startTime: string;
  cpu: CpuStats;
  memory: MemoryStats;
  rootfs?: FsStats;
  logs?: FsStats;
}
export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerSummary[];
  cpu: CpuStats;
  memory: MemoryStats;
  'ephemeral-storage'?: FsStats;
  process_stats?: { process_count: number };
}
export interface NodeSummary {
  nodeName: string;
  startTime: string;
  cpu: CpuStats;
  memory: MemoryStats;
  fs?: FsStats;
  runtime?: { imageFs: FsStats };
  rlimit?: { time: string; curproc: number };
}
export interface Summary {
  node: NodeSummary;
  pods: PodSummary[];
}

export interface SummaryInput {
  nodeName: string;
  stats: Stats__Output;
  pods: readonly WirePod[];
  /** CPU samples from the previous build, keyed by `node` or `<uid>/<container>`. */
  previous: ReadonlyMap<string, CpuSample>;
  /** Used when the runner's sample has no timestamp. */
  nowMs: number;
  /** `?only_cpu_and_memory=true`: leave out file system and process fields. */
  onlyCpuAndMemory: boolean;
}

export const NODE_SAMPLE_KEY = 'node';

/** Clamps to at least 1: metrics consumers treat 0 as "no data" and drop the pod. */
function live(value: number): number {
  return Math.max(1, value);
}

/**
 * Builds `/stats/summary` from one runner sample and the pods bound to the
 * node. Pure: returns the summary and the CPU samples to pass as `previous`
 * next time (only keys seen in this sample, so gone containers are forgotten).
 */
export function buildStatsSummary(input: SummaryInput): {
  summary: Summary;
  samples: Map<string, CpuSample>;
} {
  const { stats, onlyCpuAndMemory } = input;
  const timeMs = stats.timestampMs > 0 ? stats.timestampMs : input.nowMs;
  const time = rfc3339(timeMs);
  const samples = new Map<string, CpuSample>();
  const cpu = (key: string, usageCoreNanoSeconds: number, startedAtMs: number): CpuStats => {
    const usage = live(usageCoreNanoSeconds);
    const usageNanoCores = cpuNanoCores(input.previous.get(key), timeMs, usage, startedAtMs);
    samples.set(key, { timeMs, usageCoreNanoSeconds: usage, usageNanoCores });
    return { time, usageNanoCores, usageCoreNanoSeconds: usage };
  };
  const node = stats.node;
  const fsCapacity = node?.fsCapacityBytes ?? 0;
  const fsAvailable = node?.fsAvailableBytes ?? 0;
  const fsOf = (usedBytes: number): FsStats =>
    fsCapacity > 0
      ? { time, availableBytes: fsAvailable, capacityBytes: fsCapacity, usedBytes }
      : { time, usedBytes };
  const bootMs = node?.bootTimeMs ?? 0;

  const nodeSummary: NodeSummary = {
    nodeName: input.nodeName,
    startTime: rfc3339(bootMs > 0 ? bootMs : timeMs),
    cpu: cpu(NODE_SAMPLE_KEY, node?.cpuUsageCoreNanoseconds ?? 0, bootMs),
    memory: {
      time,
      ...(node?.memoryAvailableBytes ? { availableBytes: node.memoryAvailableBytes } : {}),
      usageBytes: live(node?.memoryUsageBytes ?? 0),
      workingSetBytes: live(node?.memoryWorkingSetBytes ?? 0),
      rssBytes: node?.memoryRssBytes ?? 0,
    },
  };
  if (!onlyCpuAndMemory) {
    nodeSummary.fs = fsOf(Math.max(0, fsCapacity - fsAvailable));
    // No images on this node: the image file system is the root file system, holding nothing.
    nodeSummary.runtime = { imageFs: fsOf(0) };
    nodeSummary.rlimit = { time, curproc: node?.processCount ?? 0 };
  }

  const containerSummary = (c: ContainerStats__Output, key: string): ContainerSummary => {
    const workingSetBytes = live(c.memoryWorkingSetBytes);
    const summary: ContainerSummary = {
      name: c.name,
      startTime: rfc3339(c.startedAtMs > 0 ? c.startedAtMs : timeMs),
      cpu: cpu(key, c.cpuUsageCoreNanoseconds, c.startedAtMs),
      // The runner measures the working set, not the cgroup's usage (which adds page cache).
      memory: { time, usageBytes: workingSetBytes, workingSetBytes, rssBytes: c.memoryRssBytes },
    };
    if (!onlyCpuAndMemory) {
      summary.rootfs = fsOf(c.rootfsBytes);
      summary.logs = fsOf(c.logsBytes);
    }
    return summary;
  };

  const pods: PodSummary[] = [];
  for (const joined of joinPodStats(stats, input.pods)) {
    const containerStats = joined.stats.containers;
    const containers = containerStats.map((c) => containerSummary(c, `${joined.uid}/${c.name}`));
    const earliestStartMs = Math.min(
      ...containerStats.map((c) => c.startedAtMs).filter((ms) => ms > 0),
      timeMs,
    );
    const podStartMs =
      apiTimeMs(joined.pod.status?.startTime) ??
      apiTimeMs(joined.pod.metadata?.creationTimestamp) ??
      earliestStartMs;
    const sum = (pick: (c: ContainerSummary) => number): number =>
      containers.reduce((acc, c) => acc + pick(c), 0);
    const pod: PodSummary = {
      podRef: { name: joined.name, namespace: joined.namespace, uid: joined.uid },
      startTime: rfc3339(podStartMs),
      containers,
      cpu: {
        time,
        usageNanoCores: live(sum((c) => c.cpu.usageNanoCores)),
        usageCoreNanoSeconds: live(sum((c) => c.cpu.usageCoreNanoSeconds)),
      },
      memory: {
        time,
        usageBytes: live(sum((c) => c.memory.usageBytes)),
        workingSetBytes: live(sum((c) => c.memory.workingSetBytes)),
        rssBytes: sum((c) => c.memory.rssBytes),
      },
    };
    if (!onlyCpuAndMemory) {
      pod['ephemeral-storage'] = fsOf(
        containerStats.reduce((acc, c) => acc + c.rootfsBytes + c.logsBytes, 0),
      );
      pod.process_stats = { process_count: containerStats.reduce((acc, c) => acc + c.processCount, 0) };
    }
    pods.push(pod);
  }
  return { summary: { node: nodeSummary, pods }, samples };
}
