import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../common/logger.js';
import { membersByGroup, signalGroup, type ProcessTable } from './process-table.js';

/** How a watched process group ended. */
export interface GroupEnd {
  pgid: number;
  /** The leader's own exit, when the leader was this process's child. */
  leaderExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** /proc could not be read repeatedly; the group's fate is unknown (getPidsError). */
  scanError: Error | undefined;
}

interface Watched {
  pgid: number;
  leaderExit: GroupEnd['leaderExit'];
  onEnd: (end: GroupEnd) => void;
}

const MAX_SCAN_FAILURES = 3;

/**
 * Tells when process groups end, pushed rather than polled: a group led by
 * our child is checked when the child exits (kill(-pgid, 0) first, a /proc
 * scan only when something is left). Groups with members after their leader
 * exits, and re-adopted groups, share one scan timer that runs only while
 * such groups exist. Each onEnd fires at most once. Not thread-safe (single
 * event loop); stop() cancels the timer and drops every watch.
 */
export class GroupMonitor {
  private readonly lingering = new Map<number, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly table: ProcessTable,
    private readonly log: Logger,
    private readonly scanIntervalMs = 250,
  ) {}

  /** Watches a group whose leader is our child. */
  watchChild(pgid: number, child: ChildProcess, onEnd: (end: GroupEnd) => void): void {
    child.once('exit', (code, signal) => {
      if (this.stopped) return;
      const watched: Watched = { pgid, leaderExit: { code, signal }, onEnd };
      if (!signalGroup(pgid, 0)) {
        this.report(watched, undefined);
        return;
      }
      this.log.debug({ pgid }, 'Leader exited; group still has processes');
      this.lingering.set(pgid, watched);
      this.scanSoon();
    });
  }

  /** Watches a group that is not our child (re-adopted after a restart). */
  adopt(pgid: number, onEnd: (end: GroupEnd) => void): void {
    this.lingering.set(pgid, { pgid, leaderExit: undefined, onEnd });
    this.scanSoon();
  }

  /** Stops watching a group without calling its onEnd. */
  forget(pgid: number): void {
    this.lingering.delete(pgid);
  }

  /** Checks the lingering groups now (e.g. an exitcode file appeared). */
  scanSoon(): void {
    if (this.stopped || this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.scan();
    });
  }

  get watchedCount(): number {
    return this.lingering.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.lingering.clear();
  }

  private scan(): void {
    if (this.stopped || this.lingering.size === 0) return;
    let groups: ReturnType<typeof membersByGroup>;
    try {
      groups = membersByGroup(this.table.scan());
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.log.warn({ err, failures: this.failures }, 'Failed to scan /proc');
      if (this.failures >= MAX_SCAN_FAILURES) {
        const ended = [...this.lingering.values()];
        this.lingering.clear();
        for (const w of ended) this.report(w, err as Error);
        return;
      }
      this.arm();
      return;
    }
    for (const w of [...this.lingering.values()]) {
      if (groups.has(w.pgid)) continue;
      this.lingering.delete(w.pgid);
      this.report(w, undefined);
    }
    this.arm();
  }

  /** Calls a watcher's onEnd; a failing callback must not take the monitor (or the process) down. */
  private report(w: Watched, scanError: Error | undefined): void {
    try {
      w.onEnd({ pgid: w.pgid, leaderExit: w.leaderExit, scanError });
    } catch (err) {
      this.log.error({ err, pgid: w.pgid }, 'Failed to handle the end of a process group');
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.lingering.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.scan();
    }, this.scanIntervalMs);
    this.timer.unref();
  }
}
