import type { Logger } from '../../common/logger.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { Clock } from '../clock.js';
import { crashPoint } from '../crash-points.js';
import type { PodRuntime } from './pod-runtime.js';
import type { PodStateStore } from './state-persistence.js';

/** Pods with more containers than this are saved and published at most every flushIntervalMs(). */
export const BIG_POD_CONTAINERS = 32;

/**
 * How long a big pod's changes are gathered before one save and one event:
 * 2 ms per container, at most 2 s (for 1,000 and more), so a pod whose
 * containers change one by one (its starts' replies, a few ms apart) costs a
 * number of whole-record saves that does not grow with its size, instead of
 * one per container. Pure.
 */
export function flushIntervalMs(containers: number): number {
  return containers > BIG_POD_CONTAINERS ? Math.min(2_000, containers * 2) : 0;
}
/** Where pod changes go (the WatchHub): publish() gives the event the next revision, which `pod` receives. */
export interface PodChangeFeed {
  publish(
    type: 'WATCH_EVENT_TYPE_ADDED' | 'WATCH_EVENT_TYPE_MODIFIED' | 'WATCH_EVENT_TYPE_DELETED',
    pod: (revision: number) => Pod,
  ): number;
}

/** What the flusher saves to and publishes on. */
export interface PodChangeFlusherDeps {
  clock: Clock;
  store: Pick<PodStateStore, 'save'>;
  hub: PodChangeFeed;
  /** False once the pod is gone (deleted): its late changes are dropped. */
  isCurrent: (pod: PodRuntime) => boolean;
  log: Logger;
}

/**
 * Persists each pod change and publishes it: changes of one pod in one turn
 * are coalesced into one save and one MODIFIED event, and a big pod's
 * (flushIntervalMs) are held for a while after each save. Single event loop.
 */
export class PodChangeFlusher {
  private readonly dirty = new Set<PodRuntime>();
  private flushQueued = false;
  /** Big pods whose next save waits (flushIntervalMs): the time it is due and its timer. */
  private readonly held = new Map<PodRuntime, { atMs: number; timer: unknown }>();

  constructor(private readonly deps: PodChangeFlusherDeps) {}

  /** A new pod: saved now and published as ADDED, carrying whatever changed since it was created. */
  added(pod: PodRuntime): void {
    this.dirty.delete(pod);
    this.persist(pod);
    pod.revision = this.deps.hub.publish('WATCH_EVENT_TYPE_ADDED', (rev) => {
      pod.revision = rev;
      return pod.toProto();
    });
  }

  /** The pod is gone: nothing more of it is saved or published here. */
  forget(pod: PodRuntime): void {
    this.dirty.delete(pod);
    const held = this.held.get(pod);
    if (held?.timer !== undefined) this.deps.clock.clearTimeout(held.timer);
    this.held.delete(pod);
  }

  /** The pod changed: it is saved and published at the end of this turn, or with a held big pod's next save. */
  markDirty(pod: PodRuntime): void {
    this.dirty.add(pod);
    const held = this.held.get(pod);
    if (held && held.atMs > this.deps.clock.nowMs()) {
      // A big pod saved a moment ago: this change goes with the next save, at its time.
      if (held.timer === undefined) {
        held.timer = this.deps.clock.setTimeout(() => {
          held.timer = undefined;
          if (this.held.get(pod) === held) this.held.delete(pod);
          if (this.dirty.delete(pod)) this.flushOne(pod);
        }, held.atMs - this.deps.clock.nowMs());
      }
      return;
    }
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Saves and publishes the changed pods; a held big pod waits for its timer unless `all`. */
  flush(all = false): void {
    const now = this.deps.clock.nowMs();
    for (const pod of [...this.dirty]) {
      const held = this.held.get(pod);
      if (held && held.atMs > now && !all) continue;
      this.dirty.delete(pod);
      this.flushOne(pod);
    }
  }

  private flushOne(pod: PodRuntime): void {
    const held = this.held.get(pod);
    if (held?.timer !== undefined) this.deps.clock.clearTimeout(held.timer);
    this.held.delete(pod);
    if (!this.deps.isCurrent(pod)) return;
    const intervalMs = flushIntervalMs(pod.record.containers.length);
    if (intervalMs > 0) this.held.set(pod, { atMs: this.deps.clock.nowMs() + intervalMs, timer: undefined });
    this.persist(pod);
    crashPoint('flush.after-save');
    this.deps.hub.publish('WATCH_EVENT_TYPE_MODIFIED', (rev) => {
      pod.revision = rev;
      return pod.toProto();
    });
    crashPoint('flush.after-publish');
  }

  /** Saves the record now; a failure is logged. */
  persist(pod: PodRuntime): void {
    try {
      this.deps.store.save(pod.record);
    } catch (err) {
      this.deps.log.error({ err, pod: pod.key }, 'Failed to persist pod state');
    }
  }
}
