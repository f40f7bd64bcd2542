/**
 * Whether a failure that repeats (a runner without GetStats, or one that is
 * away, scraped every 15 s by metrics-server) is worth a warning: the first
 * failure of a run is; the next ones are not, until a success ends the run.
 * In a fleet every node has its own, so a thousand nodes give a thousand
 * warnings once, not one per node per scrape. Pure, single owner.
 */
export class RepeatedFailure {
  private failures = 0;

  /** A failure: true when it is the first of a run (warn), false for repeats (debug at most). */
  failed(): boolean {
    this.failures++;
    return this.failures === 1;
  }

  /** A success: how many failures the run that it ends had (0 when none was failing). */
  succeeded(): number {
    const failures = this.failures;
    this.failures = 0;
    return failures;
  }
}
