import type { V1PodStatus } from '@kubernetes/client-node';
import { OWN_POD_CONDITIONS } from './pod-conditions.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * A comparable form of a JSON-like value: times at second precision (the
 * API's), Dates as strings, and null/undefined/empty-string/empty-object
 * members dropped (the API omits them).
 */
export function canonical(value: unknown): unknown {
  if (value instanceof Date) return canonicalTime(value.getTime());
  if (typeof value === 'string') return RFC3339.test(value) ? canonicalTime(Date.parse(value)) : value;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v === undefined || v === null || v === '') continue;
      if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
      out[key] = v;
    }
    return out;
  }
  return value;
}

function canonicalTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** The parts of a status the kubelet owns, without derived transition times. */
function ownedView(status: V1PodStatus | undefined): unknown {
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
export function podStatusEqual(current: V1PodStatus | undefined, desired: V1PodStatus): boolean {
  if (!current) return false;
  const desiredTypes = new Set((desired.conditions ?? []).map((c) => c.type));
  const currentFiltered: V1PodStatus = {
    ...current,
    conditions: (current.conditions ?? []).filter((c) => desiredTypes.has(c.type)),
  };
  return JSON.stringify(ownedView(currentFiltered)) === JSON.stringify(ownedView(desired));
}
