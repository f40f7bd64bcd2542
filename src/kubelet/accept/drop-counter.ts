/**
 * Counts events (connections refused for load) and says when to log them:
 * at most once per `intervalMs`, with how many happened since the last log
 * line, so a herd of refusals costs one line a second, not one each.
 */
export class DropCounter {
  private dropped = 0;
  private lastLogMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = 1000,
  ) {}

  /** Counts one; returns the count to log now (then starts again from 0), or undefined to stay quiet. */
  drop(): number | undefined {
    this.dropped++;
    const nowMs = this.now();
    if (nowMs - this.lastLogMs < this.intervalMs) return undefined;
    const count = this.dropped;
    this.dropped = 0;
    this.lastLogMs = nowMs;
    return count;
  }
}
