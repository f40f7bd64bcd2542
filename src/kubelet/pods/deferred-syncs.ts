import type { TurnBudget } from './turn-budget.js';
import type { PodSlot } from './pod-slots.js';

/**
 * Slots whose sync waits for a later turn of the event loop because the
 * turn's budget was spent, in arrival order, each at most once (its `queued`
 * flag). Each drain starts at least one (so every drain makes progress) and
 * then more while the budget allows; `start` is called for each slot whose
 * sync may begin, `isLive` says whether a slot is still worth starting.
 */
export class DeferredSyncs {
  private waiting: PodSlot[] = [];
  private drainScheduled = false;
  private stopped = false;

  constructor(
    private readonly turnBudget: TurnBudget,
    private readonly start: (slot: PodSlot) => void,
    private readonly isLive: (slot: PodSlot) => boolean,
  ) {}

  /** Whether a sync may start now without waiting: nothing waits and the turn's budget allows. */
  mayStartNow(): boolean {
    return this.waiting.length === 0 && this.turnBudget.tryStart();
  }

  push(slot: PodSlot): void {
    slot.queued = true;
    this.waiting.push(slot);
    this.scheduleDrain();
  }

  /** Nothing starts after this; waiting slots are released. */
  stop(): void {
    this.stopped = true;
    for (const slot of this.waiting) slot.queued = false;
    this.waiting = [];
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  /** Starts waiting syncs in arrival order, at least one per turn, until the turn's budget is spent. */
  private drain(): void {
    this.drainScheduled = false;
    let index = 0;
    while (index < this.waiting.length && !this.stopped) {
      // The first of the turn is always granted, so every drain makes progress.
      if (!this.turnBudget.tryStart() && index > 0) break;
      const slot = this.waiting[index++]!;
      // Started meanwhile by a runner event.
      if (!slot.queued) continue;
      slot.queued = false;
      // Forgotten (or replaced by a new record of its UID) while it waited.
      if (!this.isLive(slot)) continue;
      this.start(slot);
    }
    this.waiting = this.waiting.slice(index);
    if (this.waiting.length > 0 && !this.stopped) this.scheduleDrain();
  }
}
