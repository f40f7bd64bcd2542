/** Where progress goes: a terminal gets one rewritten line, anything else plain lines. */
export interface ProgressSink {
  isTTY: boolean;
  columns?: number;
  write(text: string): void;
}

/** One progress line: label, bar, count and elapsed seconds. Pure. */
export function formatProgressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  barWidth: number,
  detail = '',
): string {
  const seconds = `${(elapsedMs / 1000).toFixed(1)}s`;
  const extra = detail ? `  ${detail}` : '';
  if (total <= 0) return `${label}  ${seconds}${extra}`;
  const fraction = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
  return `${label}  ${bar} ${done}/${total}  ${seconds}${extra}`;
}

/**
 * Reports the phase in progress. On a TTY it redraws a single line at most
 * every `redrawMs`; otherwise it prints a line when a phase starts, every
 * `plainIntervalMs`, and when it ends. Not thread-safe; one phase at a time.
 */
export class Progress {
  private label = '';
  private total = 0;
  private done = 0;
  private detail = '';
  private startedAtMs = 0;
  private lastDrawMs = -Infinity;
  private lineShown = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly now: () => number = Date.now,
    private readonly plainIntervalMs = 5000,
    private readonly redrawMs = 100,
  ) {}

  /** Starts a phase; `total` 0 means "no count, just elapsed time". */
  start(label: string, total = 0): void {
    this.clear();
    this.label = label;
    this.total = total;
    this.done = 0;
    this.detail = '';
    this.startedAtMs = this.now();
    this.lastDrawMs = -Infinity;
    this.draw(true);
  }

  update(done: number, detail = ''): void {
    this.done = done;
    this.detail = detail;
    this.draw(false);
  }

  /** Redraws with the current count, so elapsed time moves while nothing else does. */
  refresh(): void {
    this.draw(false);
  }

  /** Ends the phase with a final line that stays on screen. */
  finish(detail = ''): void {
    if (!this.label) return;
    this.detail = detail;
    const line = this.line();
    if (this.sink.isTTY) this.sink.write(`\r\x1b[2K${line}\n`);
    else this.sink.write(`${line}\n`);
    this.lineShown = false;
    this.label = '';
  }

  /** Prints a line without garbling the progress line, which is redrawn after it. */
  log(text: string): void {
    this.clear();
    this.sink.write(`${text}\n`);
    if (this.label) this.draw(true);
  }

  private clear(): void {
    if (this.sink.isTTY && this.lineShown) {
      this.sink.write('\r\x1b[2K');
      this.lineShown = false;
    }
  }

  private line(): string {
    return formatProgressLine(
      this.label,
      this.done,
      this.total,
      this.now() - this.startedAtMs,
      30,
      this.detail,
    );
  }

  private draw(force: boolean): void {
    if (!this.label) return;
    const now = this.now();
    const interval = this.sink.isTTY ? this.redrawMs : this.plainIntervalMs;
    if (!force && now - this.lastDrawMs < interval) return;
    this.lastDrawMs = now;
    if (this.sink.isTTY) {
      // A pseudo-terminal without a size reports 0 columns.
      const columns = this.sink.columns || 120;
      this.sink.write(`\r\x1b[2K${this.line().slice(0, Math.max(20, columns - 1))}`);
      this.lineShown = true;
    } else {
      this.sink.write(`${this.line()}\n`);
    }
  }
}
