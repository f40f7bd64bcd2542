import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import type { ProcessScanner } from './process-scanner.js';

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

/**
 * Tells a group leader's end: 'exit' (code, signal) once when its parent
 * reaped it, or 'lost' when that parent (the launcher) died first and the
 * exit will never be told. A ChildProcess is one (it never emits 'lost').
 */
export interface LeaderExits {
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'lost', listener: () => void): unknown;
}

const MAX_SCAN_FAILURES = 3;
/**
 * For this long after a group starts lingering or checkSoon() is called,
 * every tick also takes a (shared) full scan: processes killed together
 * leave zombies until the host's reaper collects them, which can take
 * seconds, and kill() cannot tell a zombie from a live process.
 */
const FAST_WINDOW_MS = 3_000;

/**
 * Tells when process groups end, pushed rather than polled: a group led by
 * our child is checked when the child exits. Groups that still have members
 * then, and re-adopted groups, are checked with kill(-pgid, 0) on one timer
 * that runs only while such groups exist (a syscall per group, no /proc
 * read), and when checkSoon() is called (an exitcode file appeared, SIGKILL
 * was sent). Because kill() also counts zombies, full /proc scans, shared
 * with every other scan through the ProcessScanner, end groups whose only
 * members are zombies: at each tick for a few seconds after something
 * happened, then only every few seconds. Each onEnd fires at most once.
 * Single event loop; stop() cancels the timers and drops every watch.
 */
export class GroupMonitor {
  private readonly lingering = new Map<number, Watched>();
  private timer: unknown;
  private soon: unknown;
  private nextFullScanAtMs = 0;
  private fastUntilMs = 0;
  private fullScanPending = false;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly scanner: Pick<ProcessScanner, 'request'>,
    /** kill(-pgid, 0): false once no process of the group exists. */
    private readonly groupExists: (pgid: number) => boolean,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly checkIntervalMs = 250,
    private readonly fullScanIntervalMs = 5_000,
  ) {}

  /**
   * Watches a group whose leader's exit `child` reports (our child, or the
   * launcher's). When that report is lost, the group is watched as a
   * re-adopted one.
   */
  watchChild(pgid: number, child: LeaderExits, onEnd: (end: GroupEnd) => void): void {
    let told = false;
    child.once('lost', () => {
      if (told || this.stopped) return;
      told = true;
      this.adopt(pgid, onEnd);
    });
    child.once('exit', (code, signal) => {
      if (told || this.stopped) return;
      told = true;
      const watched: Watched = { pgid, leaderExit: { code, signal }, onEnd };
      if (!this.groupExists(pgid)) {
        this.report(watched, undefined);
        return;
      }
      this.log.debug({ pgid }, 'Leader exited; group still has processes');
      this.linger(watched);
    });
  }

  /** Watches a group that is not our child (re-adopted after a restart). */
  adopt(pgid: number, onEnd: (end: GroupEnd) => void): void {
    this.linger({ pgid, leaderExit: undefined, onEnd });
    this.checkSoon();
  }

  /** Stops watching a group without calling its onEnd. */
  forget(pgid: number): void {
    this.lingering.delete(pgid);
  }

  /**
   * Checks the lingering groups now (e.g. SIGKILL was sent), or only when
   * `pgid` is one of them (an exitcode file appeared: most belong to our own
   * children, whose exit is reported without any scan).
   */
  checkSoon(pgid?: number): void {
    if (this.stopped || this.lingering.size === 0) return;
    if (pgid !== undefined && !this.lingering.has(pgid)) return;
    this.fastUntilMs = this.clock.nowMs() + FAST_WINDOW_MS;
    if (this.soon !== undefined) return;
    this.soon = this.clock.setTimeout(() => {
      this.soon = undefined;
      this.check();
    }, 0);
  }

  get watchedCount(): number {
    return this.lingering.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.timer, this.soon]) if (t !== undefined) this.clock.clearTimeout(t);
    this.timer = undefined;
    this.soon = undefined;
    this.lingering.clear();
  }

  private linger(w: Watched): void {
    const now = this.clock.nowMs();
    if (this.lingering.size === 0) this.nextFullScanAtMs = now + this.fullScanIntervalMs;
    this.fastUntilMs = now + FAST_WINDOW_MS;
    this.lingering.set(w.pgid, w);
    this.arm();
  }

  private check(): void {
    if (this.stopped) return;
    for (const w of [...this.lingering.values()]) {
      if (this.groupExists(w.pgid)) continue;
      this.lingering.delete(w.pgid);
      this.report(w, undefined);
    }
    const now = this.clock.nowMs();
    const due = now < this.fastUntilMs || now >= this.nextFullScanAtMs;
    if (this.lingering.size > 0 && !this.fullScanPending && due) this.fullScan();
    this.arm();
  }

  private fullScan(): void {
    this.fullScanPending = true;
    this.nextFullScanAtMs = this.clock.nowMs() + this.fullScanIntervalMs;
    this.scanner.request((snapshot, err) => {
      this.fullScanPending = false;
      if (this.stopped) return;
      if (!snapshot) {
        this.failures++;
        this.log.warn({ err, failures: this.failures }, 'Failed to scan /proc');
        if (this.failures < MAX_SCAN_FAILURES) {
          // Try again at the next tick rather than a full interval later.
          this.nextFullScanAtMs = 0;
          return;
        }
        const ended = [...this.lingering.values()];
        this.lingering.clear();
        for (const w of ended) this.report(w, err);
        return;
      }
      this.failures = 0;
      for (const w of [...this.lingering.values()]) {
        if (snapshot.groups.has(w.pgid)) continue;
        this.lingering.delete(w.pgid);
        this.report(w, undefined);
      }
    });
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
    if (this.stopped || this.timer !== undefined || this.lingering.size === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, this.checkIntervalMs);
  }
}
