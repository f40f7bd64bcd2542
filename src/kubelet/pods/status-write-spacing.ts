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
 * How long after a status write of a pod with `status` the next write of the
 * same pod may go out: 0 for an ordinary pod (its status stays
 * millisecond-fresh), LARGE_POD_SPACING_MS for a large one. Pure.
 */
export function statusWriteSpacingMs(status: WirePodStatus): number {
  const containers =
    (status.containerStatuses?.length ?? 0) +
    (status.initContainerStatuses?.length ?? 0) +
    (status.ephemeralContainerStatuses?.length ?? 0);
  return containers > LARGE_POD_CONTAINERS ? LARGE_POD_SPACING_MS : 0;
}
