import type { WirePodStatus } from '../kube/wire-types.js';

/**
 * Container statuses (all kinds) above which a pod's status writes are
 * spaced out. A pod this size makes a patch of 50 KB and more, and each one
 * costs the API server a decode, a merge by container name, a store and an
 * encode per watcher of the whole object: written back to back while its
 * containers start, such a pod took most of the control plane's CPU and
 * slowed every other pod's status on the node.
 */
export const LARGE_POD_CONTAINERS = 100;

/**
 * The least time between two status writes of a large pod: a kubelet's pod
 * relist period, the most often a real kubelet syncs one pod's status.
 */
export const LARGE_POD_SPACING_MS = 1000;

/**
 * The spacing per container of a large pod. A write's cost to the API server
 * grows with the pod: a status patch of a 1,000-container pod took
 * kube-apiserver 149-286 ms of CPU on the bench machine (149-176 ms when it
 * carried only the 100 statuses that changed), against 6 ms for a
 * one-container pod (bench/README.md, "What a huge pod costs the API server").
 * Spacing in proportion bounds one large pod's writes to about 5 % of an API
 * server core, however large it is.
 */
export const LARGE_POD_SPACING_MS_PER_CONTAINER = 5;

/** The longest spacing: even the largest pod's status is at most this stale. */
export const LARGE_POD_MAX_SPACING_MS = 10_000;

/**
 * How long after a status write of a pod with `status` the next write of the
 * same pod may go out: 0 for an ordinary pod (its status stays
 * millisecond-fresh); for a large one LARGE_POD_SPACING_MS_PER_CONTAINER per
 * container, within LARGE_POD_SPACING_MS and LARGE_POD_MAX_SPACING_MS. Pure.
 */
export function statusWriteSpacingMs(status: WirePodStatus): number {
  const containers =
    (status.containerStatuses?.length ?? 0) +
    (status.initContainerStatuses?.length ?? 0) +
    (status.ephemeralContainerStatuses?.length ?? 0);
  if (containers <= LARGE_POD_CONTAINERS) return 0;
  const proportional = containers * LARGE_POD_SPACING_MS_PER_CONTAINER;
  return Math.min(LARGE_POD_MAX_SPACING_MS, Math.max(LARGE_POD_SPACING_MS, proportional));
}
