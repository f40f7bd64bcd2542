import { summarize } from '../stats.js';

/** vk-cmd's share of a `kubectl exec`, by percentile. */
export interface ExecShareMs {
  p50Ms: number;
  p99Ms: number;
}

/**
 * What vk-cmd adds to `kubectl exec POD -- true`: the exec on a vk-cmd pod
 * minus the same exec on a pod whose kubelet answers at once (the API
 * server's upgrade and proxy, kubectl's start-up and streams, without any
 * kubelet or runner work), p50 minus p50 and p99 minus p99. Non-finite
 * samples are ignored; NaN when either side has none. May be negative on a
 * noisy machine. Pure.
 */
export function execShareMs(vkCmdMs: readonly number[], stubMs: readonly number[]): ExecShareMs {
  const vkCmd = summarize(vkCmdMs);
  const stub = summarize(stubMs);
  const minus = (a: number, b: number): number =>
    Number.isFinite(a) && Number.isFinite(b) ? a - b : Number.NaN;
  return { p50Ms: minus(vkCmd.p50, stub.p50), p99Ms: minus(vkCmd.p99, stub.p99) };
}
