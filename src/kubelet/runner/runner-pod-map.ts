import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { WatchPodsEvent__Output } from '../../generated/vkcmd/runner/v1/WatchPodsEvent.js';

/** What one watch event did to the map, for the link to report. */
export type WatchEffect =
  | { kind: 'none' }
  | { kind: 'changed'; pod: Pod__Output }
  | { kind: 'deleted'; pod: Pod__Output }
  | { kind: 'synced' };

/**
 * The runner's pods as the watch delivered them, and the watch position
 * (epoch, revision) to resume from. A RESET collects the following snapshot
 * aside, so the old state stays visible until SYNCED completes the new one.
 * Pure: no IO, no clock.
 */
export class RunnerPodMap {
  private readonly current = new Map<string, Pod__Output>();
  private staged: Map<string, Pod__Output> | undefined;
  private epoch = '';
  private revision = 0;

  /** Where a new watch resumes: every change after this revision of this epoch. */
  position(): { epoch: string; sinceRevision: number } {
    return { epoch: this.epoch, sinceRevision: this.revision };
  }

  pods(): ReadonlyMap<string, Pod__Output> {
    return this.current;
  }

  get(uid: string): Pod__Output | undefined {
    return this.current.get(uid);
  }

  /** The watch broke: a snapshot it was collecting is incomplete and dropped. */
  watchEnded(): void {
    this.staged = undefined;
  }

  /** A pod a call returned, kept if newer than what the watch delivered; true when kept. */
  applyAnswer(pod: Pod__Output): boolean {
    const known = this.current.get(pod.uid);
    if (known && known.revision >= pod.revision) return false;
    this.current.set(pod.uid, pod);
    return true;
  }

  apply(event: WatchPodsEvent__Output): WatchEffect {
    // A heartbeat says the runner is there; it moves no position.
    if (event.type === 'WATCH_EVENT_TYPE_HEARTBEAT') return { kind: 'none' };
    if (event.epoch) this.epoch = event.epoch;
    if (event.revision > this.revision || event.type === 'WATCH_EVENT_TYPE_RESET')
      this.revision = event.revision;
    const pod = event.pod;
    switch (event.type) {
      case 'WATCH_EVENT_TYPE_RESET':
        this.staged = new Map();
        return { kind: 'none' };
      case 'WATCH_EVENT_TYPE_SNAPSHOT':
        if (pod) (this.staged ?? this.current).set(pod.uid, pod);
        return { kind: 'none' };
      case 'WATCH_EVENT_TYPE_SYNCED':
        if (this.staged) {
          this.current.clear();
          for (const [uid, p] of this.staged) this.current.set(uid, p);
          this.staged = undefined;
        }
        return { kind: 'synced' };
      case 'WATCH_EVENT_TYPE_ADDED':
      case 'WATCH_EVENT_TYPE_MODIFIED':
        if (!pod) return { kind: 'none' };
        if (this.staged) {
          this.staged.set(pod.uid, pod);
          return { kind: 'none' };
        }
        this.current.set(pod.uid, pod);
        return { kind: 'changed', pod };
      case 'WATCH_EVENT_TYPE_DELETED':
        if (!pod) return { kind: 'none' };
        if (this.staged) {
          this.staged.delete(pod.uid);
          return { kind: 'none' };
        }
        this.current.delete(pod.uid);
        return { kind: 'deleted', pod };
      default:
        return { kind: 'none' };
    }
  }
}
