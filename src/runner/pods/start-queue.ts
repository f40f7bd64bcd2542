import type { Logger } from '../../common/logger.js';
import type { ContainerRecord } from './pod-record.js';

/*
 * One runner-wide queue of container starts. Starts are taken round-robin
 * across pods, at most `perPod` of a pod and `total` in all in flight (a
 * start is in flight from its intent save until the launcher's reply), and
 * one batch per event-loop turn (setImmediate), so a pod of 1,000 containers
 * cannot hold the loop or the launcher while a pod created after it waits:
 * the small pod's start is taken at the next turn a slot is free. While a
 * pod with fewer pending starts has any, a bigger pod keeps at most
 * `behindSmaller` (1) in flight, so the small pod's start is not sent to the
 * launcher behind several of the big one's.
 * pickBatch() and perPodBounds() are the decision, pure; StartQueue holds the queues.
 */

/** Limits of the start queue (runner flags --max-starts-in-flight, --max-pod-starts-in-flight). */
export interface StartLimits {
  /** Starts in flight in all, and the most one batch takes. */
  total: number;
  /** Starts in flight of one pod. */
  perPod: number;
  /**
   * Starts in flight of a pod while a pod with fewer pending starts (queued
   * or in flight) has any: the bigger pod yields the launcher and the loop to
   * it. Absent: `perPod` always.
   */
  behindSmaller?: number | undefined;
}

/**
 * Defaults. The launcher forks one start at a time, so more in flight only
 * lengthens its request pipe: 16 requests of a few KiB (env included) stay
 * far below the pipe's 64 KiB, and 16 keeps the launcher busy between two
 * event-loop turns of the runner under load. 4 per pod lets at least four
 * pods start at once, and a new pod's first start waits for at most one
 * reply of a huge pod's.
 */
export const DEFAULT_START_LIMITS: StartLimits = { total: 16, perPod: 4 };

/**
 * A pod of many containers keeps one start in flight while smaller pods have
 * starts pending: each of its starts costs the runner more (its whole record
 * saved and published), and a small pod created beside it must reach the
 * launcher at once, not behind four of its starts.
 */
export const DEFAULT_BEHIND_SMALLER = 1;

/** One pod's place in the queue, as pickBatch sees it. */
export interface PodStarts {
  /** Starts waiting to be taken. */
  queued: number;
  /** Starts taken and not yet settled. */
  inFlight: number;
}

/**
 * Which pods to take starts from in this turn: round-robin from `cursor`
 * (the index of the pod after the last one served), one start per pod per
 * round, while the pod is under its bound (perPodBounds) and the total
 * under `total`.
 * Returns how many starts to take of each pod (by index, absent = none),
 * the index of the pod the last start was taken from (-1 for none) and the
 * cursor for the next turn (the pod after that one). Pure.
 */
export function pickBatch(
  pods: readonly PodStarts[],
  cursor: number,
  limits: StartLimits,
): { take: Map<number, number>; last: number; cursor: number } {
  const take = new Map<number, number>();
  const n = pods.length;
  if (n === 0) return { take, last: -1, cursor: 0 };
  let free = limits.total - pods.reduce((sum, p) => sum + p.inFlight, 0);
  const first = ((cursor % n) + n) % n;
  const bound = perPodBounds(pods, limits);
  let last = -1;
  for (let progress = true; free > 0 && progress;) {
    progress = false;
    for (let k = 0; k < n && free > 0; k++) {
      const i = (first + k) % n;
      const p = pods[i]!;
      const taken = take.get(i) ?? 0;
      if (taken >= p.queued || p.inFlight + taken >= bound[i]!) continue;
      take.set(i, taken + 1);
      free--;
      progress = true;
      last = i;
    }
  }
  return { take, last, cursor: last < 0 ? first : (last + 1) % n };
}

/**
 * Each pod's bound on starts in flight: `perPod`, or `behindSmaller` while
 * another pod with fewer pending starts (queued + in flight) has any. Pure.
 */
export function perPodBounds(pods: readonly PodStarts[], limits: StartLimits): number[] {
  const pending = pods.map((p) => p.queued + p.inFlight);
  const behind = limits.behindSmaller;
  if (behind === undefined) return pods.map(() => limits.perPod);
  // The smallest non-zero pending count: any pod above it has a smaller one beside it.
  let smallest = Infinity;
  for (const n of pending) if (n > 0 && n < smallest) smallest = n;
  return pending.map((n) => (n > smallest ? Math.min(behind, limits.perPod) : limits.perPod));
}

/** A pod whose starts go through the queue (PodRuntime). */
export interface StartHost {
  readonly key: string;
  /**
   * Starts these containers of the pod (their intents saved together first).
   * Calls `settled` exactly once per container, when its start is over (its
   * reply came, it failed, or it was skipped), possibly before returning.
   */
  startBatch(containers: readonly ContainerRecord[], settled: (c: ContainerRecord) => void): void;
}

interface PodEntry {
  host: StartHost;
  queue: ContainerRecord[];
  inFlight: number;
}

/**
 * The queue itself. Single event loop. enqueue() is idempotent per
 * container; drop() forgets a pod's queued starts (those in flight settle on
 * their own). Hosts are kept in the order they first queued a start.
 */
export class StartQueue {
  private readonly pods = new Map<StartHost, PodEntry>();
  /** The pod the last start was taken from: the next turn begins after it (pods come and go). */
  private lastServed: StartHost | undefined;
  private scheduled = false;

  private readonly limits: StartLimits;

  /** `limits.behindSmaller` defaults to DEFAULT_BEHIND_SMALLER (the runner's flags do not set it). */
  constructor(
    limits: StartLimits,
    private readonly log: Logger,
    private readonly defer: (fn: () => void) => void = (fn) => setImmediate(fn),
  ) {
    this.limits = { ...limits, behindSmaller: limits.behindSmaller ?? DEFAULT_BEHIND_SMALLER };
  }

  enqueue(host: StartHost, c: ContainerRecord): void {
    let e = this.pods.get(host);
    if (!e) {
      e = { host, queue: [], inFlight: 0 };
      this.pods.set(host, e);
    }
    if (!e.queue.includes(c)) e.queue.push(c);
    this.schedule();
  }

  drop(host: StartHost): void {
    const e = this.pods.get(host);
    if (!e) return;
    e.queue.length = 0;
    if (e.inFlight === 0) this.pods.delete(host);
  }

  /** Starts queued and in flight, for metrics and tests. */
  get depth(): { queued: number; inFlight: number } {
    let queued = 0;
    let inFlight = 0;
    for (const e of this.pods.values()) {
      queued += e.queue.length;
      inFlight += e.inFlight;
    }
    return { queued, inFlight };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** One batch: the event loop gets its turn before the next (schedule() again). */
  private drain(): void {
    const entries = [...this.pods.values()];
    const cursor = this.lastServed ? entries.findIndex((e) => e.host === this.lastServed) + 1 : 0;
    const picked = pickBatch(
      entries.map((e) => ({ queued: e.queue.length, inFlight: e.inFlight })),
      cursor,
      this.limits,
    );
    if (picked.last >= 0) this.lastServed = entries[picked.last]!.host;
    // Smaller pods' starts are sent first: the launcher forks in the order it reads them.
    const pending = (i: number): number => entries[i]!.queue.length + entries[i]!.inFlight;
    const order = [...picked.take].sort(([a], [b]) => pending(a) - pending(b));
    for (const [i, count] of order) {
      const e = entries[i]!;
      const batch = e.queue.splice(0, count);
      e.inFlight += batch.length;
      const open = new Set(batch);
      const settled = (c: ContainerRecord): void => {
        if (!open.delete(c)) return;
        e.inFlight--;
        if (e.inFlight === 0 && e.queue.length === 0) this.pods.delete(e.host);
        this.schedule();
      };
      try {
        e.host.startBatch(batch, settled);
      } catch (err) {
        this.log.error({ err, pod: e.host.key }, 'Starting containers failed');
        for (const c of [...open]) settled(c);
      }
    }
    if (this.depth.queued > 0 && picked.take.size > 0) this.schedule();
  }
}
