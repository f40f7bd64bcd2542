import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { CgroupRun, ContainerLimiter } from '../process/container-limiter.js';
import type { GroupMonitor } from '../process/group-monitor.js';
import type { MemoryWatchdog } from '../process/memory-watchdog.js';
import type { OomKill } from './container-status.js';
import type { ContainerRecord } from './pod-record.js';

/** What a pod's limits need from the runner. */
export interface RunLimitsDeps {
  limiter: ContainerLimiter;
  watchdog: Pick<MemoryWatchdog, 'watch' | 'forget'>;
  monitor: Pick<GroupMonitor, 'checkSoon'>;
  signalGroup: (pgid: number, signal: NodeJS.Signals | 0) => boolean;
  log: Logger;
}

/** Bytes as Kubernetes writes memory (`32Mi`), one decimal when not whole. Pure. */
export function formatBytes(bytes: number): string {
  for (const [suffix, unit] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes >= unit) {
      const value = bytes / unit;
      return `${Number.isInteger(value) ? value : value.toFixed(1)}${suffix}`;
    }
  }
  return String(bytes);
}

/** The OOM kill that ended a run, from what the watchdog or the cgroup recorded. Pure. */
export function oomKillOf(
  c: Pick<ContainerRecord, 'name' | 'limits' | 'memoryKill'>,
  kernelOomKills: number,
): OomKill | undefined {
  if (c.memoryKill) {
    return {
      message: `memory limit ${formatBytes(c.memoryKill.limitBytes)} exceeded: working set ${formatBytes(c.memoryKill.usageBytes)}; the runner's memory watchdog killed container ${c.name}`,
    };
  }
  if (kernelOomKills > 0) {
    const what = kernelOomKills === 1 ? 'a process' : `${kernelOomKills} processes`;
    return {
      message: `memory limit ${formatBytes(c.limits?.memoryLimitBytes ?? 0)} reached: the kernel's OOM killer killed ${what} of container ${c.name}`,
    };
  }
  return undefined;
}

/**
 * A pod's side of limit enforcement, called by its PodRuntime around each
 * run: the cgroup before it starts, the watchdog while it runs where there
 * is no cgroup, the OOM kill and the cgroup's removal when it ends.
 */
export class RunLimits {
  constructor(
    private readonly podUid: string,
    private readonly podKey: string,
    private readonly deps: RunLimitsDeps,
  ) {}

  /** Before a run: the cgroup it joins (none without limits or cgroups), or why it cannot start. */
  beforeStart(
    c: ContainerRecord,
  ): { ok: true; cgroup: CgroupRun | undefined } | { ok: false; message: string } {
    c.memoryKill = undefined;
    c.cgroupJoined = false;
    if (!c.limits) return { ok: true, cgroup: undefined };
    try {
      const cgroup = this.deps.limiter.prepare(this.podUid, c.name, c.limits);
      c.cgroupJoined = cgroup !== undefined && cgroup.procsFiles.length > 0;
      return { ok: true, cgroup: c.cgroupJoined ? cgroup : undefined };
    } catch (err) {
      return { ok: false, message: errorMessage(err) };
    }
  }

  /** A run started or was re-adopted: where no cgroup holds its memory, the watchdog watches it. */
  watch(c: ContainerRecord, changed: () => void): void {
    const limit = c.limits?.memoryLimitBytes ?? 0;
    if (limit <= 0 || this.deps.limiter.enforcement.memory !== 'watchdog' || c.memoryKill) return;
    const pgid = c.pgid;
    this.deps.watchdog.watch(pgid, limit, (usageBytes) => {
      if (c.pgid !== pgid || c.state.state !== 'running') return;
      c.memoryKill = { limitBytes: limit, usageBytes };
      this.deps.log.warn(
        { pod: this.podKey, container: c.name, pgid, limitBytes: limit, usageBytes },
        'Container exceeded its memory limit; killing it',
      );
      this.deps.signalGroup(pgid, 'SIGKILL');
      this.deps.monitor.checkSoon(pgid);
      changed();
    });
  }

  /** The run's processes are gone: the OOM kill that ended it, if any; its cgroup is removed. */
  ended(c: ContainerRecord): OomKill | undefined {
    this.deps.watchdog.forget(c.pgid);
    const kernelKills =
      c.limits && this.deps.limiter.enforcement.cgroupMode !== 'none'
        ? this.deps.limiter.finish(this.podUid, c.name).oomKills
        : 0;
    return oomKillOf(c, kernelKills);
  }

  /**
   * The pod is gone: its cgroup directory too. Only a container with limits
   * ever gets one (beforeStart), so a pod none of whose containers has any
   * has nothing to remove (a leftover is swept at the next start anyway).
   */
  podGone(containers: readonly Pick<ContainerRecord, 'limits'>[]): void {
    if (this.deps.limiter.enforcement.cgroupMode === 'none') return;
    if (containers.some((c) => c.limits)) this.deps.limiter.removePod(this.podUid);
  }
}
