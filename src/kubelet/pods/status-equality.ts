import type { WirePodStatus } from '../kube/wire-types.js';
import { canonical } from '../kube/canonical.js';
import { OWN_POD_CONDITIONS } from './pod-conditions.js';

/** The parts of a status the kubelet owns, without derived transition times. */
function ownedView(status: WirePodStatus | undefined): unknown {
  if (!status) return undefined;
  const own = new Set<string>([...OWN_POD_CONDITIONS, 'PodScheduled']);
  return canonical({
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
      .filter((c) => own.has(c.type))
      .map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }))
      .sort((a, b) => (a.type < b.type ? -1 : 1)),
  });
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
 * current ones: the desired side is put in canonical form once.
 */
export function podStatusMatcher(desired: WirePodStatus): (current: WirePodStatus | undefined) => boolean {
  const desiredTypes = new Set((desired.conditions ?? []).map((c) => c.type));
  let desiredKey: string | undefined;
  return (current) => {
    if (!current) return false;
    const currentFiltered: WirePodStatus = {
      ...current,
      conditions: (current.conditions ?? []).filter((c) => desiredTypes.has(c.type)),
    };
    desiredKey ??= JSON.stringify(ownedView(desired));
    return JSON.stringify(ownedView(currentFiltered)) === desiredKey;
  };
}
