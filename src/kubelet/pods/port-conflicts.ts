import type { WirePod } from '../kube/wire-types.js';
import { containerFieldPath, type PodEvent } from './event-recorder.js';

/** A containerPort of a pod that another pod of the node also declares. */
export interface PortConflict {
  container: string;
  port: number;
  protocol: string;
  other: { namespace: string; name: string; container: string };
}

/**
 * The pod's declared containerPorts (by port and protocol, TCP by default)
 * that one of `others` also declares. On vk-cmd every pod shares the host's
 * network, so two pods listening on one port cannot both run: the second
 * fails with "Address already in use". Pods that ended are left out. Pure.
 */
export function findPortConflicts(pod: WirePod, others: readonly WirePod[]): PortConflict[] {
  const uid = pod.metadata?.uid;
  const taken = new Map<string, PortConflict['other']>();
  for (const o of others) {
    if (o.metadata?.uid === uid) continue;
    if (o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed') continue;
    for (const c of o.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        const key = `${p.containerPort}/${p.protocol ?? 'TCP'}`;
        if (!taken.has(key)) {
          taken.set(key, {
            namespace: o.metadata?.namespace ?? '',
            name: o.metadata?.name ?? '',
            container: c.name,
          });
        }
      }
    }
  }
  const out: PortConflict[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      const other = taken.get(`${p.containerPort}/${protocol}`);
      if (other) out.push({ container: c.name, port: p.containerPort, protocol, other });
    }
  }
  return out;
}

/** Whether any regular container of the pod declares a containerPort: only then can it conflict. Pure. */
export function declaresContainerPorts(pod: WirePod): boolean {
  return (pod.spec?.containers ?? []).some((c) => (c.ports?.length ?? 0) > 0);
}

/** The warning a port conflict gets, on the container that declares the port. Pure. */
export function portConflictEvent(pod: WirePod, conflict: PortConflict): PodEvent {
  const o = conflict.other;
  return {
    type: 'Warning',
    reason: 'PortConflict',
    message:
      `containerPort ${conflict.port}/${conflict.protocol} of container ${conflict.container} is also declared ` +
      `by pod ${o.namespace}/${o.name} (container ${o.container}), which runs on this node: pods on a vk-cmd ` +
      `node share the host's network, so only one of them can listen on it`,
    fieldPath: containerFieldPath(pod, conflict.container),
  };
}
