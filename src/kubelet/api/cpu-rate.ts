/** One observation of a cumulative CPU counter and the rate derived from it. */
export interface CpuSample {
  timeMs: number;
  usageCoreNanoSeconds: number;
  usageNanoCores: number;
}

/**
 * CPU usage in nanocores between the previous sample and this one, as a
 * kubelet derives `usageNanoCores` between two scrapes. Without a usable
 * previous sample (first scrape, counter went backwards because a process of
 * the group exited) it falls back to the average since `startedAtMs`. A live
 * container or node is never reported idle at 0: the result is at least 1. Pure.
 */
export function cpuNanoCores(
  previous: CpuSample | undefined,
  timeMs: number,
  usageCoreNanoSeconds: number,
  startedAtMs: number,
): number {
  let rate: number | undefined;
  if (previous && previous.usageCoreNanoSeconds <= usageCoreNanoSeconds) {
    if (timeMs > previous.timeMs) {
      // ns of CPU per ms of wall time, times 1e3, is ns of CPU per s: nanocores.
      rate = ((usageCoreNanoSeconds - previous.usageCoreNanoSeconds) * 1e3) / (timeMs - previous.timeMs);
    } else if (timeMs === previous.timeMs) {
      rate = previous.usageNanoCores;
    }
  }
  if (rate === undefined && startedAtMs > 0 && timeMs > startedAtMs) {
    rate = (usageCoreNanoSeconds * 1e3) / (timeMs - startedAtMs);
  }
  return Math.max(1, Math.round(rate ?? 0));
}
