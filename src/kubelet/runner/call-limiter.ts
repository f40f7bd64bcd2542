/**
 * Runs at most `limit` tasks at once; the others wait, first come first
 * served. The runner's start queue orders and bounds the starts themselves,
 * so calls beyond what keeps it fed only hold memory on both sides (at a
 * burst of 1,000 pods, 1,000 open gRPC calls). Never rejects on its own: a
 * task's result or error is passed through.
 */
export class CallLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Calls in flight and queued. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never drops below the queue's needs.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
