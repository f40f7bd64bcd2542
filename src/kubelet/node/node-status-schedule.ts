import type { WireNodeStatus } from '../kube/wire-types.js';
import { canonical } from '../kube/canonical.js';

/**
 * Whether the node status is written now: when it changed (the keys
 * differ), or when an unchanged one has gone `reportFrequencyMs` unwritten
 * (5 min by default, as a kubelet with a Lease writes it: the node lifecycle
 * controller watches the Lease, not the status's heartbeat). Pure.
 */
export function statusWriteDue(
  key: string,
  lastKey: string,
  nowMs: number,
  lastStatusWriteMs: number,
  reportFrequencyMs: number,
): boolean {
  return key !== lastKey || nowMs - lastStatusWriteMs >= reportFrequencyMs;
}

/**
 * What identifies a node status for statusWriteDue: everything but the
 * conditions' heartbeat times, which change on every write. Pure.
 */
export function nodeStatusKey(status: WireNodeStatus): string {
  return JSON.stringify(
    canonical({
      ...status,
      conditions: status.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })),
    }),
  );
}

/** What the node controller knows when it schedules its next round. */
export interface StatusScheduleInputs {
  nowMs: number;
  /** When the status was last written (epoch ms; 0 if never). */
  lastStatusWriteMs: number;
  /** --node-status-update-frequency in ms: how often the status is computed to find changes. */
  updateFrequencyMs: number;
  /** --node-status-report-frequency in ms: the longest an unchanged status goes unwritten. */
  reportFrequencyMs: number;
  /** When the walltime state next changes, in ms from now (undefined: it does not). */
  walltimeRefreshMs: number | undefined;
  /** Whether the node is Ready now: only a Ready node turns NotReady when a grace period ends. */
  ready: boolean;
  /** The runner's unreachable grace period in ms. */
  graceMs: number;
  /** Since when (epoch ms) the runner link has been unsynced, and silent; undefined if not. */
  problemSinceMs: ReadonlyArray<number | undefined>;
}

/**
 * The delay, right after a round, until the node controller's next one: the
 * next computation (update frequency), the next due write of an unchanged
 * status (report frequency), the next walltime change, or the end of a grace
 * period that would turn a Ready node NotReady (5 ms after it), whichever
 * comes first; at least 5 ms. Pure.
 */
export function nextStatusDelayMs(i: StatusScheduleInputs): number {
  let delayMs = Math.min(i.updateFrequencyMs, i.lastStatusWriteMs + i.reportFrequencyMs - i.nowMs);
  if (i.walltimeRefreshMs !== undefined) delayMs = Math.min(delayMs, i.walltimeRefreshMs);
  for (const since of i.problemSinceMs) {
    if (since === undefined || !i.ready) continue;
    const graceEndMs = since + i.graceMs - i.nowMs;
    if (graceEndMs > 0) delayMs = Math.min(delayMs, graceEndMs + 5);
  }
  return Math.max(5, delayMs);
}
