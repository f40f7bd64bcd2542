import { CLOCK_TICKS_PER_SECOND, type PodIdentity, type ProcEntry } from './process-table.js';

/**
 * How old a process must be before what its environment said is reused. A
 * process's environment only changes when it execs, which a freshly forked
 * child does within milliseconds (a runner's or launcher's child becomes a
 * pod's wrapper that way); the host's long-lived processes, the bulk of
 * every sweep, are far older.
 */
export const IDENTITY_CACHE_MIN_AGE_TICKS = 10 * CLOCK_TICKS_PER_SECOND;

interface Cached {
  startTicks: number;
  identity: PodIdentity | undefined;
  /** The sweep that last looked this pid up: older entries are dropped. */
  sweep: number;
}

/**
 * Pod identities (from /proc/<pid>/environ) kept across sweeps, so a
 * deletion's stray sweep reads only the environments of processes it has not
 * seen before instead of every process on the host. An entry is keyed by pid
 * and start time (a reused pid is read again) and is only kept for processes
 * at least IDENTITY_CACHE_MIN_AGE_TICKS old and not children of the runner
 * itself (a child that has not exec'd yet still has the runner's
 * environment). Entries of pids a sweep did not ask about are dropped after
 * it. Single event loop.
 */
export class IdentityCache {
  private readonly entries = new Map<number, Cached>();
  private sweep = 0;
  private uptimeTicks = 0;
  /** Environments read (cache misses), for tests and metrics. */
  reads = 0;

  constructor(
    private readonly read: (pid: number) => PodIdentity | undefined,
    /** Ticks since boot now, the clock of ProcEntry.startTicks. */
    private readonly nowTicks: () => number,
    private readonly selfPid: number,
  ) {}

  /** Starts a sweep: later lookups belong to it. */
  beginSweep(): void {
    this.sweep++;
    this.uptimeTicks = this.nowTicks();
  }

  /** The identity of `e`, from the cache when it may be trusted, else read. */
  lookup(e: ProcEntry): PodIdentity | undefined {
    const hit = this.entries.get(e.pid);
    if (hit && hit.startTicks === e.startTicks) {
      hit.sweep = this.sweep;
      return hit.identity;
    }
    this.reads++;
    const identity = this.read(e.pid);
    if (cacheable(e, this.uptimeTicks, this.selfPid)) {
      this.entries.set(e.pid, { startTicks: e.startTicks, identity, sweep: this.sweep });
    } else this.entries.delete(e.pid);
    return identity;
  }

  /** Ends a sweep: forgets pids it did not look up (gone, or now in a container's group). */
  endSweep(): void {
    for (const [pid, c] of this.entries) if (c.sweep !== this.sweep) this.entries.delete(pid);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Whether what a process's environment says now will still hold. Pure. */
export function cacheable(e: ProcEntry, uptimeTicks: number, selfPid: number): boolean {
  return e.ppid !== selfPid && uptimeTicks - e.startTicks >= IDENTITY_CACHE_MIN_AGE_TICKS;
}
