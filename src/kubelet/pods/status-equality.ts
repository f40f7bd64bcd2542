import type { WirePodStatus } from '../kube/wire-types.js';
import { canonicalEqual } from '../kube/canonical.js';
import { OWN_POD_CONDITIONS } from './pod-conditions.js';

const OWN = new Set<string>([...OWN_POD_CONDITIONS, 'PodScheduled']);

/** The parts of a status the kubelet owns, without derived transition times; compared with canonicalEqual. */
function ownedView(status: WirePodStatus | undefined, conditionTypes: ReadonlySet<string>): unknown {
  if (!status) return undefined;
  return {
    phase: status.phase,
    reason: status.reason,
    message: status.message,
    hostIP: status.hostIP,
    hostIPs: status.hostIPs,
    podIP: status.podIP,
    podIPs: status.podIPs,
    startTime: status.startTime,
    qosClass: status.qosClass,
    containerStatuses: status.containerStatuses,
    initContainerStatuses: status.initContainerStatuses,
    ephemeralContainerStatuses: status.ephemeralContainerStatuses,
    conditions: (status.conditions ?? [])
      .filter((c) => OWN.has(c.type) && conditionTypes.has(c.type))
      .map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }))
      .sort((a, b) => (a.type < b.type ? -1 : 1)),
  };
}

/**
 * Whether writing `desired` over `current` would change anything the kubelet
 * owns. A desired PodScheduled condition absent from `current` counts as a
 * change; other writers' conditions are ignored.
 */
export function podStatusEqual(current: WirePodStatus | undefined, desired: WirePodStatus): boolean {
  return podStatusMatcher(desired)(current);
}

/**
 * podStatusEqual against one desired status, for comparing it with several
 * current ones: the desired side's view is built once.
 */
export function podStatusMatcher(desired: WirePodStatus): (current: WirePodStatus | undefined) => boolean {
  const desiredTypes = new Set((desired.conditions ?? []).map((c) => c.type));
  let desiredView: unknown;
  return (current) => {
    if (!current) return false;
    desiredView ??= ownedView(desired, OWN);
    return canonicalEqual(ownedView(current, desiredTypes), desiredView);
  };
}
