import type { Clock } from '../clock.js';

/** A scheduled callback; cancel() is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

/** A scheduled callback is its own handle: one allocation per schedule. */
class Entry implements TimerHandle {
  cancelled = false;

  constructor(
    readonly dueMs: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

const NOOP_HANDLE: TimerHandle = { cancel: () => undefined };

/** How many due callbacks run in one turn of the event loop before the rest wait for the next. */
const MAX_CALLBACKS_PER_TURN = 32;

/**
 * Every probe's ticks on one clock timer: a min-heap of deadlines, with the
 * one timer armed for the earliest. Due callbacks run in deadline order, at
 * most MAX_CALLBACKS_PER_TURN per turn, so a burst of due probes yields to
 * gRPC, watch pushes and process exits in between instead of starving them.
 * Cancelled entries are dropped lazily. Single event loop; stop() cancels
 * everything.
 */
export class ProbeTimers {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: unknown;
  private timerDueMs = Infinity;
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Runs `fn` at `dueMs` (at once, in a later turn, when that is past). */
  at(dueMs: number, fn: () => void): TimerHandle {
    if (this.stopped) return NOOP_HANDLE;
    const entry = new Entry(dueMs, this.seq++, fn);
    this.push(entry);
    this.arm();
    return entry;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
  }

  private arm(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    const first = this.heap[0];
    if (!first) {
      if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDueMs = Infinity;
      return;
    }
    if (this.timer !== undefined && this.timerDueMs <= first.dueMs) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDueMs = first.dueMs;
    this.timer = this.clock.setTimeout(() => this.fire(), first.dueMs - this.clock.nowMs());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDueMs = Infinity;
    if (this.stopped) return;
    const now = this.clock.nowMs();
    let ran = 0;
    while (ran < MAX_CALLBACKS_PER_TURN && this.heap.length > 0 && this.heap[0]!.dueMs <= now) {
      const entry = this.pop()!;
      if (entry.cancelled) continue;
      entry.cancelled = true;
      ran++;
      entry.fn();
    }
    this.arm();
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
