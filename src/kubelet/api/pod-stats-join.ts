import type { WirePod } from '../kube/wire-types.js';
import type { PodStats__Output } from '../../generated/vkcmd/runner/v1/PodStats.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';

/** A pod the API knows, with the runner's numbers for its running containers. */
export interface JoinedPodStats {
  pod: WirePod;
  namespace: string;
  name: string;
  uid: string;
  stats: PodStats__Output;
}

/**
 * Pairs the runner's per-pod stats with the pods bound to this node, by UID.
 * Runner pods the API does not know (already removed, or another node's) are
 * left out: every reported pod is one metrics-server can attribute. Pure.
 */
export function joinPodStats(stats: Stats__Output, pods: readonly WirePod[]): JoinedPodStats[] {
  const byUid = new Map<string, WirePod>();
  for (const pod of pods) {
    const uid = pod.metadata?.uid;
    if (uid) byUid.set(uid, pod);
  }
  const joined: JoinedPodStats[] = [];
  for (const podStats of stats.pods) {
    const pod = byUid.get(podStats.uid);
    if (!pod) continue;
    joined.push({
      pod,
      namespace: pod.metadata?.namespace ?? podStats.namespace,
      name: pod.metadata?.name ?? podStats.name,
      uid: podStats.uid,
      stats: podStats,
    });
  }
  return joined;
}
