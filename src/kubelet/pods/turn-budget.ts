import { performance } from 'node:perf_hooks';

/** Whether a turn that started at `startedMs` may still start work at `nowMs`. Pure. */
export function withinBudget(startedMs: number | undefined, nowMs: number, budgetMs: number): boolean {
  return startedMs === undefined || nowMs - startedMs < budgetMs;
}

/** What TurnBudget needs from the outside world; tests pass their own clock and turn ends. */
export interface TurnClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `fn` once the current turn of the event loop has ended (setImmediate). */
  atTurnEnd(fn: () => void): void;
}

const realClock: TurnClock = {
  now: () => performance.now(),
  atTurnEnd: (fn) => void setImmediate(fn),
};

/**
 * How much synchronous work one turn of the event loop may start before the
 * rest waits for a later turn, so that a burst (a watch chunk of many pods,
 * a relist, a resync of every pod) does not hold timers, the runner link and
 * the kubelet API for hundreds of milliseconds. The turn's clock starts at
 * the first `tryStart` of the turn, which is always granted (progress is
 * guaranteed); later ones are granted while less than `budgetMs` has passed.
 */
export class TurnBudget {
  private startedMs: number | undefined;

  constructor(
    private readonly budgetMs: number,
    private readonly clock: TurnClock = realClock,
  ) {}

  /** Whether work may start now; the first call of a turn starts the turn's clock and returns true. */
  tryStart(): boolean {
    const nowMs = this.clock.now();
    if (this.startedMs === undefined) {
      this.startedMs = nowMs;
      this.clock.atTurnEnd(() => (this.startedMs = undefined));
      return true;
    }
    return withinBudget(this.startedMs, nowMs, this.budgetMs);
  }
}

/**
 * Milliseconds of one event-loop turn after which further pod syncs wait for
 * the next turn: a burst of hundreds of pods (a watch chunk, a relist, the
 * periodic resync) would otherwise hold the loop for hundreds of milliseconds.
 */
export const DEFAULT_TURN_BUDGET_MS = 10;

/** One budget per process: the nodes of a fleet share the event loop, so a burst over many nodes is bounded too. */
export const processTurnBudget = new TurnBudget(DEFAULT_TURN_BUDGET_MS);
