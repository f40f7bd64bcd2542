/**
 * Clean-up actions run in reverse order of registration, each at most once,
 * each given its own chance even if an earlier one fails. `runAll` is
 * idempotent: a second call (e.g. from a signal handler racing the normal
 * path) waits for the first one instead of repeating it.
 */
export class CleanupStack {
  private readonly actions: Array<{ label: string; run: () => Promise<void> | void }> = [];
  private running: Promise<void> | undefined;

  push(label: string, run: () => Promise<void> | void): void {
    this.actions.push({ label, run });
  }

  runAll(report: (message: string) => void): Promise<void> {
    this.running ??= (async () => {
      while (this.actions.length) {
        const action = this.actions.pop()!;
        try {
          await action.run();
        } catch (err) {
          report(`clean-up "${action.label}" failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
