import type { Clock } from '../../../../src/runner/clock.js';

/** Lets promise callbacks and setImmediate callbacks run. */
export const flush = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** A clock whose timers fire only when a test moves time forward. */
export class FakeClock implements Clock {
  now = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;

  nowMs(): number {
    return this.now;
  }

  setTimeout(fn: () => void, delayMs: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.now + Math.max(0, delayMs), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Delays of the pending timers, shortest first. */
  get pending(): number[] {
    return this.timers.map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /** Moves time forward, firing due timers in order (also those they set). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
      await flush();
    }
    this.now = end;
  }
}
