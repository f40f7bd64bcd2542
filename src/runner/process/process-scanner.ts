import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import { IdentityCache } from './identity-cache.js';
import { ProcessSnapshot } from './process-snapshot.js';
import type { PodIdentity, ProcEntry } from './process-table.js';

/** What a scanner reads: ProcessTable, or a fake in tests. */
export interface ProcessSource {
  scan(): ProcEntry[];
  readPodIdentity(pid: number): PodIdentity | undefined;
  /** Ticks since boot (the clock of startTicks); without it every sweep reads every environment. */
  uptimeTicks?(): number;
}

export type SnapshotCallback = (snapshot: ProcessSnapshot | undefined, err: Error | undefined) => void;

/** How long a first request waits for others to join it. */
const COALESCE_MS = 2;

/**
 * The one place full /proc scans happen. A scan is synchronous (it blocks
 * the event loop for 10-20 us per process), so requests are coalesced:
 * every request made before the scheduled scan runs gets the same snapshot,
 * whoever made it (deletions of many pods, liveness checks, GetStats). After
 * a slow round (scan and callbacks) the next one waits at least as long as
 * that round took, so a storm of requests can use at most about half of the
 * event loop; requests made by the callbacks themselves (a deletion's next
 * step) wait for the next round like any other. Callbacks run in request
 * order; a failing callback is logged and does not stop the others.
 */
export class ProcessScanner {
  private waiting: SnapshotCallback[] = [];
  private timer: unknown;
  private lastEndMs = Number.NEGATIVE_INFINITY;
  private lastDurationMs = 0;
  /** A round's scan or callbacks are running: requests are only queued. */
  private inRound = false;
  private stopped = false;
  /** Scans taken so far (for tests and metrics). */
  scans = 0;
  /** Requests answered with the last snapshot (requestSince). */
  reused = 0;
  private last: { snapshot: ProcessSnapshot; takenAtMs: number } | undefined;
  private readonly identities: IdentityCache | undefined;

  constructor(
    private readonly source: ProcessSource,
    private readonly clock: Clock,
    /** Process groups of every running container, read at scan time. */
    private readonly knownGroups: () => ReadonlySet<number>,
    private readonly log: Logger,
    private readonly selfPid = process.pid,
    private readonly elapsedMs: () => number = () => performance.now(),
  ) {
    const uptime = source.uptimeTicks?.bind(source);
    if (uptime) this.identities = new IdentityCache((pid) => source.readPodIdentity(pid), uptime, selfPid);
  }

  /** Environments read by stray and launch-token sweeps so far (for tests and metrics). */
  get environReads(): number | undefined {
    return this.identities?.reads;
  }

  /** One sweep's identities: cached across sweeps when the source tells the time since boot. */
  private identitiesOf(candidates: readonly ProcEntry[]): (PodIdentity | undefined)[] {
    const cache = this.identities;
    if (!cache) return candidates.map((e) => this.source.readPodIdentity(e.pid));
    cache.beginSweep();
    const out = candidates.map((e) => cache.lookup(e));
    cache.endSweep();
    return out;
  }

  /** How long the last round (scan and callbacks) blocked the event loop, ms; 0 before the first. */
  get lastRoundMs(): number {
    return this.lastDurationMs;
  }

  /**
   * Calls back with the last snapshot when it was taken at or after
   * `notBeforeMs` (clock time) and is at most `maxAgeMs` old, else with the
   * next one. For a caller to whom any look taken after some event is as good
   * as a fresh one (a deletion of a pod whose processes had all ended by
   * then): a burst of such requests shares one scan instead of one each.
   * Always calls back asynchronously, as request() does.
   */
  requestSince(notBeforeMs: number, maxAgeMs: number, callback: SnapshotCallback): void {
    if (this.stopped) return;
    const last = this.last;
    const nowMs = this.clock.nowMs();
    if (last && last.takenAtMs >= notBeforeMs && nowMs - last.takenAtMs <= maxAgeMs) {
      this.reused++;
      this.clock.setTimeout(() => {
        if (!this.stopped) callback(last.snapshot, undefined);
      }, 0);
      return;
    }
    this.request(callback);
  }

  /** Calls back with the next snapshot (or the scan's error). */
  request(callback: SnapshotCallback): void {
    if (this.stopped) return;
    this.waiting.push(callback);
    if (this.timer === undefined && !this.inRound) this.schedule();
  }

  private schedule(): void {
    const sinceLast = this.elapsedMs() - this.lastEndMs;
    const delay = Math.max(COALESCE_MS, Math.ceil(this.lastDurationMs - sinceLast));
    this.timer = this.clock.setTimeout(() => this.run(), delay);
  }

  /** The next snapshot as a promise; rejects when /proc cannot be listed. */
  snapshot(): Promise<ProcessSnapshot> {
    return new Promise((resolve, reject) =>
      this.request((snapshot, err) => (snapshot ? resolve(snapshot) : reject(err))),
    );
  }

  /**
   * A snapshot taken now, synchronously, outside the shared rounds: for the
   * runner's start, when nothing else runs yet. Throws when /proc cannot be listed.
   */
  snapshotNow(): ProcessSnapshot {
    this.scans++;
    return new ProcessSnapshot(
      this.source.scan(),
      this.knownGroups(),
      (candidates) => this.identitiesOf(candidates),
      this.selfPid,
    );
  }

  /** Drops pending requests without calling them (runner shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = [];
  }

  private run(): void {
    this.timer = undefined;
    this.inRound = true;
    const callers = this.waiting;
    this.waiting = [];
    const started = this.elapsedMs();
    let snapshot: ProcessSnapshot | undefined;
    let error: Error | undefined;
    const takenAtMs = this.clock.nowMs();
    try {
      const entries = this.source.scan();
      snapshot = new ProcessSnapshot(
        entries,
        this.knownGroups(),
        (candidates) => this.identitiesOf(candidates),
        this.selfPid,
      );
      this.last = { snapshot, takenAtMs };
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    this.scans++;
    for (const callback of callers) {
      try {
        callback(snapshot, error);
      } catch (err) {
        this.log.error({ err }, 'Failed to use a process snapshot');
      }
    }
    // What the callers did with the snapshot (signalling many groups) counts too.
    this.lastEndMs = this.elapsedMs();
    this.lastDurationMs = this.lastEndMs - started;
    this.inRound = false;
    if (this.waiting.length > 0 && !this.stopped) this.schedule();
  }
}
