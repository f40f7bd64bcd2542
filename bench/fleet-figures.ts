/**
 * Pure figures of the fleet scenario: what each node served by one kubelet
 * process costs it, from process readings taken before and after.
 */

/** (after - before) / nodes; NaN without nodes or readings. */
export function perNode(before: number, after: number, nodes: number): number {
  return nodes > 0 && Number.isFinite(before) && Number.isFinite(after)
    ? (after - before) / nodes
    : Number.NaN;
}

/** A share of one core each node costs: CPU seconds used / window seconds / nodes (0.001 = 0.1 % of a core). */
export function cpuSharePerNode(cpuSeconds: number, windowSeconds: number, nodes: number): number {
  return nodes > 0 && windowSeconds > 0 ? cpuSeconds / windowSeconds / nodes : Number.NaN;
}

/** Requests each node sent per minute over a window, from the sum of every node's counter deltas. */
export function requestsPerNodePerMinute(requests: number, windowSeconds: number, nodes: number): number {
  return nodes > 0 && windowSeconds > 0 ? requests / nodes / (windowSeconds / 60) : Number.NaN;
}

/** Node names `<prefix>-0000`...: sortable and unique within a run. */
export function fleetNodeNames(prefix: string, count: number): string[] {
  const width = Math.max(4, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, '0')}`);
}
