/**
 * Capped exponential back-off with full jitter on the upper half: the n-th
 * delay lies in [d/2, d] where d = min(cap, initial * 2^n). Pure given `random`.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay; each call doubles the ceiling until the cap. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
