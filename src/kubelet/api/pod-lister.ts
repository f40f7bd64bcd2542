import type { WirePod } from '../kube/wire-types.js';

/** Read access to the pods bound to this node, as the kubelet's informer sees them. */
export interface PodLister {
  /** Every pod bound to the node. Cheap; the result must not be mutated. */
  list(): readonly WirePod[];
  /** One pod, or undefined. */
  get(namespace: string, name: string): WirePod | undefined;
}
