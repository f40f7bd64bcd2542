import type { Logger } from '../common/logger.js';
import { escapedDescendants, isLive, type ProcEntry, type ProcessTable } from './process-table.js';

/**
 * Stops the process groups of one pod: SIGTERM or SIGKILL to each group and
 * to the descendants that left it (setsid, setpgid), found by walking /proc
 * ppid links. Escaped descendants seen at SIGTERM time are remembered (pid and
 * start time) so they are still killed after their parent died and they were
 * reparented, and never confused with a later process that reuses the pid.
 */
export class GroupKiller {
  private readonly escapees = new Map<number, number>();

  constructor(
    private readonly table: ProcessTable,
    private readonly signalGroup: (pgid: number, signal: NodeJS.Signals | 0) => boolean,
    private readonly signalProcess: (pid: number, signal: NodeJS.Signals | 0) => boolean,
    private readonly log: Logger,
  ) {}

  private scan(): ProcEntry[] {
    try {
      return this.table.scan();
    } catch (err) {
      this.log.warn({ err }, 'Cannot scan /proc for descendants');
      return [];
    }
  }

  /** Sends `signal` to the groups and every escaped descendant (known or found now). */
  signal(pgids: readonly number[], signal: 'SIGTERM' | 'SIGKILL'): void {
    if (pgids.length === 0 && this.escapees.size === 0) return;
    const entries = this.scan();
    const byPid = new Map(entries.map((e) => [e.pid, e]));
    for (const pgid of pgids) {
      for (const e of escapedDescendants(entries, pgid)) this.escapees.set(e.pid, e.startTicks);
    }
    for (const [pid, startTicks] of this.escapees) {
      const e = byPid.get(pid);
      if (e && e.startTicks === startTicks && isLive(e)) this.signalProcess(pid, signal);
    }
    for (const pgid of pgids) this.signalGroup(pgid, signal);
  }

  /** True while a remembered escaped descendant is still alive. */
  escapeesAlive(): boolean {
    for (const [pid, startTicks] of this.escapees) {
      const e = this.table.read(pid);
      if (e && e.startTicks === startTicks && isLive(e)) return true;
    }
    return false;
  }
}
