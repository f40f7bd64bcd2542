/**
 * When a callback due at `nowMs + delayMs` runs: at the start of the
 * `slotMs`-long slot its due time falls in, so early by less than a slot and
 * never late, and not before now. Pure.
 */
export function slotStartMs(nowMs: number, delayMs: number, slotMs: number): number {
  return Math.max(nowMs, Math.floor((nowMs + delayMs) / slotMs) * slotMs);
}

/**
 * A timer that runs the callbacks due within one slot together, from one
 * timer (slotStartMs). The lease thread's renewals use it: a thread that
 * wakes for nothing else paid a wake-up per renewal (two, with its answer),
 * where the main thread had often been awake anyway; in slots of a second,
 * 100 nodes' renewals wake it once a second, and renewTimes stay one
 * interval apart (a renewal early by part of a slot is due an interval
 * after that). Single event loop.
 */
export class SlotTimer {
  private readonly slots = new Map<number, { timer: NodeJS.Timeout; callbacks: Set<() => void> }>();

  constructor(
    private readonly slotMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `fn` at slotStartMs(now, delayMs); returns what cancels it. */
  schedule(fn: () => void, delayMs: number): () => void {
    const nowMs = this.now();
    const atMs = slotStartMs(nowMs, delayMs, this.slotMs);
    let slot = this.slots.get(atMs);
    if (!slot) {
      const callbacks = new Set<() => void>();
      const timer = setTimeout(() => {
        this.slots.delete(atMs);
        for (const callback of callbacks) callback();
      }, atMs - nowMs);
      slot = { timer, callbacks };
      this.slots.set(atMs, slot);
    }
    // A wrapper per call: the same function scheduled twice runs twice, as with setTimeout.
    const entry = (): void => fn();
    slot.callbacks.add(entry);
    const scheduled = slot;
    return () => {
      scheduled.callbacks.delete(entry);
      if (scheduled.callbacks.size === 0 && this.slots.get(atMs) === scheduled) {
        clearTimeout(scheduled.timer);
        this.slots.delete(atMs);
      }
    };
  }

  /** Cancels every pending callback. */
  clear(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.slots.clear();
  }
}
