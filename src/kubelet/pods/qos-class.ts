import type { WireContainer, WirePod } from '../kube/wire-types.js';
import { parseQuantity } from './quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

// Integer units (millicores, bytes) so sums compare exactly.
function units(name: string, q: string): number {
  return name === 'cpu' ? Math.round(parseQuantity(q) * 1000) : Math.round(parseQuantity(q));
}

/**
 * The pod's QoS class, as pkg/apis/core/v1/helper/qos computes it: only cpu
 * and memory count; Guaranteed needs limits == requests for both in every
 * container (init containers included); no request or limit at all is BestEffort.
 * Requests are defaulted from limits first, as API defaulting does.
 */
export function qosClass(pod: WirePod): QosClass {
  const containers: WireContainer[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let isGuaranteed = true;
  for (const c of containers) {
    const lim = c.resources?.limits ?? {};
    // The API server defaults a missing request to its limit before computing QoS.
    const req = { ...lim, ...(c.resources?.requests ?? {}) };
    for (const name of COMPUTE) {
      const r = req[name];
      if (r !== undefined && units(name, r) > 0)
        requests.set(name, (requests.get(name) ?? 0) + units(name, r));
      const l = lim[name];
      if (l !== undefined && units(name, l) > 0) limits.set(name, (limits.get(name) ?? 0) + units(name, l));
    }
    const hasBothLimits = COMPUTE.every((n) => lim[n] !== undefined && units(n, lim[n]) > 0);
    if (!hasBothLimits) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [name, value] of requests) {
      if (limits.get(name) !== value) {
        isGuaranteed = false;
        break;
      }
    }
  }
  if (isGuaranteed && limits.size === requests.size) return 'Guaranteed';
  return 'Burstable';
}
