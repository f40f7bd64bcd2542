/*
 * The periodic resync, pod by pod. A kubelet's pod worker syncs its pod again
 * the resync interval after its last sync; it does not sync every pod of the
 * node at one moment. Syncing all of them at once every interval made a burst
 * (for 1,000 idle pods about 100 ms of the event loop, and as much again of
 * the optimising compiler's threads) that stalled whatever else was due in
 * it, and did the work again for pods that had just synced for a change of
 * their own. One timer per node is armed for the next pod due, so a node
 * with no pods wakes once an interval, as before.
 */

/** What the resync needs of a pod's place in the sync loop. */
export interface ResyncFacts {
  /** When its latest sync started (epoch ms); when it was first seen before the first. */
  syncStartedAtMs: number;
  /** A sync runs now. */
  syncing: boolean;
  /** A sync waits for a later turn of the event loop. */
  queued: boolean;
}

/**
 * Pods due within this long are synced together with the first of them, so
 * pods created within a second of each other cost one timer, not one each. A
 * pod then syncs again between one interval less a second and one interval
 * after its last sync: never later than the interval.
 */
export function resyncSlackMs(intervalMs: number): number {
  return Math.max(0, Math.min(1000, Math.floor(intervalMs / 10)));
}

/**
 * Which pods are due their periodic sync at `nowMs` (none ran for
 * `intervalMs` less `slackMs`, and none runs or waits now), and when the next
 * of the others is due (undefined when none is). Pods that sync or wait now
 * are left out of both: their sync starts their interval afresh. Pure.
 */
export function planResync<T extends ResyncFacts>(
  pods: Iterable<T>,
  nowMs: number,
  intervalMs: number,
  slackMs: number,
): { due: T[]; nextAtMs: number | undefined } {
  const due: T[] = [];
  let nextAtMs: number | undefined;
  for (const pod of pods) {
    if (pod.syncing || pod.queued) continue;
    const atMs = pod.syncStartedAtMs + intervalMs;
    if (atMs <= nowMs + slackMs) due.push(pod);
    else if (nextAtMs === undefined || atMs < nextAtMs) nextAtMs = atMs;
  }
  return { due, nextAtMs };
}

/**
 * How long until the resync looks again: until the next pod is due, and at
 * most one interval (a pod that syncs meanwhile is due an interval after
 * that, never sooner than the pods already known). Pure.
 */
export function resyncDelayMs(nextAtMs: number | undefined, nowMs: number, intervalMs: number): number {
  if (nextAtMs === undefined) return intervalMs;
  return Math.max(1, Math.min(intervalMs, nextAtMs - nowMs));
}
