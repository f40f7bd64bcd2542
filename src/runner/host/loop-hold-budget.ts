import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Lets a long run of blocking calls hold the event loop for at most about
 * `budgetMs` at a time: the caller asks `due()` between two calls (cheap, no
 * promise) and, when it is true, awaits `pause()`, which gives the loop one
 * turn and starts a new budget. On a file system where each call waits for a
 * server (a home directory on NFS), a block is then the budget plus one call.
 * Single event loop; the clock is injectable for tests.
 */
export class LoopHoldBudget {
  private startedAtMs: number;

  constructor(
    private readonly budgetMs: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.startedAtMs = nowMs();
  }

  /** True once the loop has been held for longer than the budget since the start or the last pause. */
  due(): boolean {
    return this.nowMs() - this.startedAtMs > this.budgetMs;
  }

  /** Gives the event loop a turn (setImmediate), then starts a new budget. */
  async pause(): Promise<void> {
    await nextTurn();
    this.startedAtMs = this.nowMs();
  }
}
