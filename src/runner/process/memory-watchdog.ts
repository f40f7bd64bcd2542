import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import type { ProcessScanner } from './process-scanner.js';
import type { ProcEntry } from './process-table.js';

/** How often a limited container is looked at. */
export interface WatchdogRates {
  /** Far from the limit. */
  intervalMs: number;
  /** At or above `nearFraction` of the limit. */
  nearIntervalMs: number;
  nearFraction: number;
}

export const DEFAULT_WATCHDOG_RATES: WatchdogRates = {
  intervalMs: 1_000,
  nearIntervalMs: 200,
  nearFraction: 0.8,
};

/** The working set of a group's live members: resident pages times the page size. Pure. */
export function workingSetBytes(members: readonly ProcEntry[], pageSizeBytes: number): number {
  let pages = 0;
  for (const m of members) pages += m.rssPages;
  return pages * pageSizeBytes;
}

/**
 * What the watchdog does after one look at a container: kill it (past the
 * limit, as the kernel's OOM killer would once usage cannot stay within it)
 * or look again after a delay that shrinks as usage nears the limit. Pure.
 */
export function watchdogVerdict(
  usageBytes: number,
  limitBytes: number,
  rates: WatchdogRates = DEFAULT_WATCHDOG_RATES,
): { kill: true } | { kill: false; nextCheckMs: number } {
  if (usageBytes > limitBytes) return { kill: true };
  const near = usageBytes >= limitBytes * rates.nearFraction;
  return { kill: false, nextCheckMs: near ? rates.nearIntervalMs : rates.intervalMs };
}

interface Watched {
  limitBytes: number;
  dueAtMs: number;
  onExceeded: (usageBytes: number) => void;
}

/**
 * Enforces memory limits where no cgroup can: each watched process group's
 * working set is read from the shared /proc scans (one scan per round,
 * whatever the number of groups) at a bounded rate per group, every second,
 * five times a second near the limit; a group past its limit gets
 * `onExceeded` once (the caller kills it) and is no longer watched. A
 * process that allocates faster than that can overshoot between two looks.
 * Single event loop; stop() cancels everything.
 */
export class MemoryWatchdog {
  private readonly watched = new Map<number, Watched>();
  private timer: unknown;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private scanning = false;
  private stopped = false;

  constructor(
    private readonly scanner: Pick<ProcessScanner, 'request'>,
    private readonly clock: Clock,
    private readonly pageSizeBytes: number,
    private readonly log: Logger,
    private readonly rates: WatchdogRates = DEFAULT_WATCHDOG_RATES,
  ) {}

  /** Watches group `pgid` against `limitBytes`; a later call for the same group replaces it. */
  watch(pgid: number, limitBytes: number, onExceeded: (usageBytes: number) => void): void {
    if (this.stopped) return;
    this.watched.set(pgid, { limitBytes, dueAtMs: this.clock.nowMs(), onExceeded });
    this.arm();
  }

  forget(pgid: number): void {
    this.watched.delete(pgid);
  }

  get watchedCount(): number {
    return this.watched.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private arm(): void {
    if (this.stopped || this.scanning || this.watched.size === 0) return;
    let due = Number.POSITIVE_INFINITY;
    for (const w of this.watched.values()) due = Math.min(due, w.dueAtMs);
    if (this.timer !== undefined && this.timerAtMs <= due) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAtMs = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Number.POSITIVE_INFINITY;
      this.look();
    }, due - this.clock.nowMs());
  }

  private look(): void {
    if (this.stopped) return;
    this.scanning = true;
    this.scanner.request((snapshot, err) => {
      this.scanning = false;
      if (this.stopped) return;
      const now = this.clock.nowMs();
      if (!snapshot) {
        this.log.warn({ err }, 'Memory watchdog could not scan /proc');
        for (const w of this.watched.values()) w.dueAtMs = now + this.rates.intervalMs;
        this.arm();
        return;
      }
      for (const [pgid, w] of [...this.watched]) {
        if (w.dueAtMs > now) continue;
        const usage = workingSetBytes(snapshot.groups.get(pgid) ?? [], this.pageSizeBytes);
        const verdict = watchdogVerdict(usage, w.limitBytes, this.rates);
        if (verdict.kill) {
          this.watched.delete(pgid);
          try {
            w.onExceeded(usage);
          } catch (e) {
            this.log.error({ err: e, pgid }, 'Failed to stop a container over its memory limit');
          }
        } else {
          w.dueAtMs = now + verdict.nextCheckMs;
        }
      }
      this.arm();
    });
  }
}
