import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { Stats } from '../../../../src/generated/vkcmd/runner/v1/Stats.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * Plausible, cheap GetStats figures for a FakeRunner (16 GiB, 100 GiB of
 * disk, as its GetNodeInfo says): the node at 50 ms of CPU per second since
 * `bootMs` and 2 GiB in use, each running container at 1 ms of CPU per
 * second since it started, 8 MiB, one process, a few KiB of logs and files.
 * Far below every eviction threshold, so serving them changes nothing a test
 * asserts; no /proc scan. Pure.
 */
export function fakeStats(pods: Iterable<Pod__Output>, nowMs: number, bootMs: number): Stats {
  const podStats = [...pods].map((pod) => ({
    uid: pod.uid,
    namespace: pod.namespace,
    name: pod.name,
    containers: pod.containerStatuses.flatMap((c) => {
      const startedAtMs = Number(c.state?.running?.startedAtMs ?? 0);
      if (!c.state?.running || startedAtMs <= 0) return [];
      return [
        {
          name: c.name,
          cpuUsageCoreNanoseconds: Math.max(0, nowMs - startedAtMs) * 1_000,
          memoryWorkingSetBytes: 8 * MIB,
          memoryRssBytes: 8 * MIB,
          processCount: 1,
          startedAtMs,
          logsBytes: 1024,
          rootfsBytes: 4096,
        },
      ];
    }),
    volumes: [],
  }));
  const running = podStats.reduce((n, p) => n + p.containers.length, 0);
  return {
    timestampMs: nowMs,
    node: {
      cpuUsageCoreNanoseconds: Math.max(0, nowMs - bootMs) * 50_000,
      memoryWorkingSetBytes: 2 * GIB + running * 8 * MIB,
      memoryUsageBytes: 3 * GIB + running * 8 * MIB,
      memoryAvailableBytes: 14 * GIB - running * 8 * MIB,
      memoryRssBytes: 2 * GIB,
      memoryTotalBytes: 16 * GIB,
      bootTimeMs: bootMs,
      fsCapacityBytes: 100 * GIB,
      fsAvailableBytes: 80 * GIB,
      processCount: 100 + running,
    },
    pods: podStats,
  };
}
