import type { Logger } from '../../common/logger.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { WirePod } from '../kube/wire-types.js';
import {
  hasLocalStorageLimits,
  localStorageEviction,
  type LocalStorageSignal,
} from './local-storage-eviction.js';

export interface EvictionManagerDeps {
  /** The pods bound to this node (the informer's cache). */
  pods: () => readonly WirePod[];
  /** GetStats in the runner; its disk figures are the runner's cached measurements. */
  getStats: () => Promise<Stats__Output>;
  /** Hands the eviction to the pod's lifecycle; false when the kubelet does not know the pod. */
  evict: (uid: string, message: string) => boolean;
  /** Counts one eviction (kubelet_evictions{eviction_signal}). */
  evicted: (signal: LocalStorageSignal) => void;
  logger: Logger;
  /** Between checks; the kubelet's housekeeping period (10 s) by default. */
  intervalMs?: number;
}

/**
 * The kubelet's eviction manager, for the local storage limits only (the
 * node-pressure signals do not apply: the runner's host is not the kubelet's
 * to protect). Every interval, when a pod bound here has an
 * ephemeral-storage limit or an emptyDir sizeLimit, reads the runner's
 * stats and evicts each pod past a limit once (see localStorageEviction).
 */
export class EvictionManager {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** Pods already evicted, until they leave the node. */
  private readonly done = new Set<string>();

  constructor(private readonly deps: EvictionManagerDeps) {}

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.deps.intervalMs ?? 10_000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round; resolves when done, never rejects. Rounds do not overlap. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.round();
    } catch (err) {
      this.deps.logger.debug({ err }, 'Local storage eviction check failed');
    } finally {
      this.checking = false;
    }
  }

  private async round(): Promise<void> {
    const pods = this.deps.pods();
    const present = new Set(pods.map((p) => p.metadata?.uid));
    for (const uid of this.done) if (!present.has(uid)) this.done.delete(uid);
    const candidates = pods.filter(
      (p) =>
        p.metadata?.uid !== undefined &&
        !this.done.has(p.metadata.uid) &&
        !p.metadata.deletionTimestamp &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed' &&
        hasLocalStorageLimits(p),
    );
    if (candidates.length === 0) return;
    const stats = await this.deps.getStats();
    const byUid = new Map(stats.pods.map((s) => [s.uid, s]));
    for (const pod of candidates) {
      const uid = pod.metadata!.uid!;
      const eviction = localStorageEviction(pod, byUid.get(uid));
      if (!eviction || !this.deps.evict(uid, eviction.message)) continue;
      this.done.add(uid);
      this.deps.evicted(eviction.signal);
      this.deps.logger.info(
        { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, uid, signal: eviction.signal },
        'Evicting pod over its local storage limit',
      );
    }
  }
}
