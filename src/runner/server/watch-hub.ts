import { randomUUID } from 'node:crypto';
import { flushLogs } from '../../common/logger.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { WatchEventType } from '../../generated/vkcmd/runner/v1/WatchEventType.js';

export type EventType = Extract<
  WatchEventType,
  | 'WATCH_EVENT_TYPE_RESET'
  | 'WATCH_EVENT_TYPE_SNAPSHOT'
  | 'WATCH_EVENT_TYPE_SYNCED'
  | 'WATCH_EVENT_TYPE_ADDED'
  | 'WATCH_EVENT_TYPE_MODIFIED'
  | 'WATCH_EVENT_TYPE_DELETED'
>;

/** One event as sent on WatchPods. */
export interface HubEvent {
  type: EventType;
  revision: number;
  epoch: string;
  pod?: Pod | undefined;
}

/** Receives events; returns false when it cannot take more (the hub then drops it). */
export interface Subscriber {
  deliver(event: HubEvent): void;
}

/**
 * Revisions, a bounded history and subscribers for pod changes. Every change
 * gets the next revision; `epoch` is random per process, so revisions of an
 * earlier runner never match. subscribe() sends either the missed events
 * (resume within the history) or RESET + SNAPSHOT per pod, then SYNCED, and
 * registers the subscriber in the same turn so nothing falls in between.
 * Not thread-safe (single event loop).
 */
export class WatchHub {
  readonly epoch: string;
  private rev = 0;
  private readonly history: HubEvent[] = [];
  private historyStart = 0;
  private readonly subscribers = new Set<Subscriber>();

  /**
   * Each history event holds a whole pod snapshot, so the history is a large
   * share of the runner's memory. A client further behind than this gets
   * RESET and a full snapshot, which costs one message per pod: the same as
   * a fresh watch, so resuming only has to cover short link drops.
   */
  constructor(
    private readonly historyCapacity = 2_048,
    epoch: string = randomUUID(),
  ) {
    this.epoch = epoch;
  }

  get revision(): number {
    return this.rev;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Takes the next revision, records the event and delivers it to every subscriber. */
  publish(
    type: 'WATCH_EVENT_TYPE_ADDED' | 'WATCH_EVENT_TYPE_MODIFIED' | 'WATCH_EVENT_TYPE_DELETED',
    pod: (rev: number) => Pod,
  ): number {
    const revision = ++this.rev;
    const event: HubEvent = { type, revision, epoch: this.epoch, pod: pod(revision) };
    this.history.push(event);
    if (this.history.length - this.historyStart > this.historyCapacity) {
      this.historyStart++;
      // Compact now and then instead of shifting on every event.
      if (this.historyStart > this.historyCapacity) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    // The log lines of what changed go out before any client can see the change.
    if (this.subscribers.size > 0) flushLogs();
    for (const s of [...this.subscribers]) s.deliver(event);
    return revision;
  }

  /** True when a client at (epoch, sinceRevision) can be caught up from the history. */
  canResume(epoch: string, sinceRevision: number): boolean {
    if (epoch !== this.epoch || sinceRevision < 0 || sinceRevision > this.rev) return false;
    const oldest =
      this.history.length > this.historyStart ? this.history[this.historyStart]!.revision : this.rev + 1;
    return sinceRevision >= oldest - 1;
  }

  /**
   * Sends the initial events to `subscriber` and registers it. `pods` gives the
   * current pods for a snapshot. Returns the unsubscribe function (call it on
   * cancel and on any end of the stream).
   */
  subscribe(
    subscriber: Subscriber,
    request: { epoch: string; sinceRevision: number },
    pods: () => Pod[],
  ): () => void {
    flushLogs();
    if (request.epoch !== '' && this.canResume(request.epoch, request.sinceRevision)) {
      for (let i = this.historyStart; i < this.history.length; i++) {
        const e = this.history[i]!;
        if (e.revision > request.sinceRevision) subscriber.deliver(e);
      }
    } else {
      subscriber.deliver({ type: 'WATCH_EVENT_TYPE_RESET', revision: this.rev, epoch: this.epoch });
      for (const pod of pods()) {
        subscriber.deliver({ type: 'WATCH_EVENT_TYPE_SNAPSHOT', revision: this.rev, epoch: this.epoch, pod });
      }
    }
    subscriber.deliver({ type: 'WATCH_EVENT_TYPE_SYNCED', revision: this.rev, epoch: this.epoch });
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Drops every subscriber (shutdown); the caller ends their streams. */
  clear(): void {
    this.subscribers.clear();
  }
}
