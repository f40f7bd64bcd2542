import type { Logger } from '../../common/logger.js';
import type { ProcessScanner, SnapshotCallback } from '../process/process-scanner.js';
import type { ProcessSnapshot } from '../process/process-snapshot.js';
import { isLive, type PodIdentity, type ProcEntry } from '../process/process-table.js';

export type StopSignal = 'SIGTERM' | 'SIGKILL';

/**
 * How old a snapshot taken after a pod's processes ended may be to serve its
 * deletion: pods deleted in a burst share a scan (any process of the pod
 * alive now was alive then, since nothing starts a pod's processes once its
 * containers ended), and the bound keeps clock steps harmless.
 */
export const SNAPSHOT_REUSE_MAX_AGE_MS = 1_000;

/** What a killer needs from the runner: the shared scanner, single-process reads, signals, a log. */
export interface PodKillerDeps {
  scanner: Pick<ProcessScanner, 'request' | 'requestSince'>;
  /** One process from /proc/<pid>/stat, or undefined when it is gone. */
  readProcess: (pid: number) => ProcEntry | undefined;
  signalGroup: (pgid: number, signal: NodeJS.Signals | 0) => boolean;
  signalProcess: (pid: number, signal: NodeJS.Signals | 0) => boolean;
  log: Logger;
}

/**
 * Stops every process of one pod. Its container groups get each signal as
 * groups. Processes that left them ("strays") are found in a shared process
 * snapshot in two ways: descendants of group members by ppid links, and any
 * live process outside the known container groups whose environment carries
 * the pod's identity (every process a container starts inherits
 * VK_CMD_POD_UID and VK_CMD_POD_DIR). The second way also finds
 * double-forked daemons, whose parent is gone, and the setsid children of
 * containers that already ended. Strays are remembered by pid and start
 * time, so they get every later signal and a reused pid is never signalled.
 * A process that cleared its environment and lost its parent is out of
 * reach. Single event loop.
 */
export class PodKiller {
  private readonly strays = new Map<number, number>();
  private lastSignal: StopSignal | undefined;

  constructor(
    private readonly pod: PodIdentity,
    private readonly key: string,
    private readonly deps: PodKillerDeps,
  ) {}

  /**
   * Sends `signal`, once the next shared snapshot is ready, to the groups
   * `pgids()` names then and to every stray; then calls `done` with those
   * groups and the number of strays that were alive. With `endedAtMs` (no
   * group of the pod can have processes left since that time, and no stray
   * is known), a snapshot the scanner took since then serves as well.
   */
  signal(
    pgids: () => readonly number[],
    signal: StopSignal,
    done: (groups: readonly number[], strays: number) => void,
    endedAtMs?: number,
  ): void {
    const onSnapshot: SnapshotCallback = (snapshot, err) => {
      this.lastSignal = signal;
      const groups = pgids();
      if (snapshot) this.remember(snapshot, groups);
      else this.deps.log.warn({ err, pod: this.key }, 'Cannot scan /proc for stray processes');
      let alive = 0;
      for (const [pid, startTicks] of this.strays) {
        if (!(snapshot ? snapshot.isAlive(pid, startTicks) : this.isAliveNow(pid, startTicks))) {
          this.strays.delete(pid);
          continue;
        }
        alive++;
        this.deps.signalProcess(pid, signal);
      }
      for (const pgid of groups) this.deps.signalGroup(pgid, signal);
      if (alive > 0) {
        this.deps.log.info(
          { pod: this.key, pids: [...this.strays.keys()], signal },
          "Signalled processes that left the pod's process groups",
        );
      }
      done(groups, alive);
    };
    if (endedAtMs !== undefined && this.strays.size === 0) {
      this.deps.scanner.requestSince(endedAtMs, SNAPSHOT_REUSE_MAX_AGE_MS, onSnapshot);
    } else this.deps.scanner.request(onSnapshot);
  }

  /**
   * Calls back with true while a stray lives. Remembered strays are checked
   * one by one (a read of /proc/<pid>/stat each); once they are all gone a
   * shared snapshot confirms it and picks up strays that appeared since,
   * which get the last signal sent. When /proc cannot be scanned the pod is
   * taken to have no strays left.
   */
  checkStrays(callback: (alive: boolean) => void): void {
    for (const [pid, startTicks] of this.strays) {
      if (this.isAliveNow(pid, startTicks)) {
        callback(true);
        return;
      }
      this.strays.delete(pid);
    }
    this.deps.scanner.request((snapshot, err) => {
      if (!snapshot) {
        this.deps.log.warn({ err, pod: this.key }, 'Cannot scan /proc for stray processes');
        callback(false);
        return;
      }
      for (const e of this.remember(snapshot, [])) {
        if (this.lastSignal) this.deps.signalProcess(e.pid, this.lastSignal);
      }
      callback(this.strays.size > 0);
    });
  }

  /** Adds the strays a snapshot shows; returns those not known before. */
  private remember(snapshot: ProcessSnapshot, groups: readonly number[]): ProcEntry[] {
    const fresh: ProcEntry[] = [];
    const own = new Set(groups);
    const add = (e: ProcEntry): void => {
      if (own.has(e.pgrp) || this.strays.get(e.pid) === e.startTicks) return;
      this.strays.set(e.pid, e.startTicks);
      fresh.push(e);
    };
    for (const pgid of groups) for (const e of snapshot.escapedFrom(pgid)) add(e);
    for (const e of snapshot.taggedWith(this.pod)) add(e);
    return fresh;
  }

  private isAliveNow(pid: number, startTicks: number): boolean {
    const e = this.deps.readProcess(pid);
    return e !== undefined && e.startTicks === startTicks && isLive(e);
  }
}
