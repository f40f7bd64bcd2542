import type { ChildProcess } from 'node:child_process';
import type { HostSecurity } from '../../../../src/runner/security/host-security.js';
import { pino } from 'pino';
import type { ContainerLogs } from '../../../../src/runner/logs/container-logs.js';
import type { GroupEnd, GroupMonitor } from '../../../../src/runner/process/group-monitor.js';
import type { LaunchPlan } from '../../../../src/runner/process/launch-plan.js';
import { waiting, type ContainerRecord, type PodRecord } from '../../../../src/runner/pods/pod-record.js';
import type { PodRuntime, PodRuntimeDeps } from '../../../../src/runner/pods/pod-runtime.js';
import { ProcessScanner } from '../../../../src/runner/process/process-scanner.js';
import type { PodIdentity, ProcEntry } from '../../../../src/runner/process/process-table.js';
import { KUBERNETES_BACKOFF } from '../../../../src/runner/pods/restart-backoff.js';
import type { StartEvidenceSource } from '../../../../src/runner/pods/start-resolution.js';
import type { RunFileState } from '../../../../src/runner/files/run-file.js';
import { FakeClock } from './fake-clock.js';
import { CgroupLimiter } from '../../../../src/runner/host/cgroups.js';
import type { ContainerLimiter } from '../../../../src/runner/process/container-limiter.js';

export const silent = pino({ level: 'silent' });

/** A process of the fake host. */
export function proc(pid: number, pgrp: number, extra: Partial<ProcEntry> = {}): ProcEntry {
  return {
    pid,
    ppid: 1,
    pgrp,
    state: 'S',
    utimeTicks: 0,
    stimeTicks: 0,
    cutimeTicks: 0,
    cstimeTicks: 0,
    startTicks: pid,
    rssPages: 1,
    ...extra,
  };
}

/**
 * Fake processes, clock and monitor for PodRuntime: groups end when a test
 * says so, /proc holds what a test puts there, and every signal is recorded.
 */
export class FakeWorld {
  clock = new FakeClock();
  nextPgid = 5_000;
  ends = new Map<number, (end: GroupEnd) => void>();
  procs = new Map<number, ProcEntry>();
  identities = new Map<number, PodIdentity>();
  signals: string[] = [];
  launches: string[] = [];
  removed: string[] = [];
  /** Times at which a container's logs were rotated to *.previous. */
  rotations: number[] = [];
  changes = 0;
  finished: string[] = [];
  exitCodes = new Map<string, number>();
  /** Run files by `<dir>/<token>`. */
  runs = new Map<string, RunFileState>();
  /** Processes carrying each launch token, for the start resolution's sweep. */
  tokens = new Map<string, ProcEntry[]>();
  pgidFiles = new Map<string, number>();
  /** How many times the records were saved at once (a start's intent). */
  savedNow = 0;
  nextToken = 1;
  pods: PodRuntime[] = [];
  /** No cgroups unless a test puts another limiter here. */
  limiter: ContainerLimiter = new CgroupLimiter({ mode: 'none', note: 'fake host' }, silent);
  /** Groups the memory watchdog watches, with their limits and what to call past them. */
  watched = new Map<number, { limitBytes: number; onExceeded: (usageBytes: number) => void }>();
  scanner = new ProcessScanner(
    {
      scan: () => [...this.procs.values()],
      readPodIdentity: (pid) => this.identities.get(pid),
    },
    this.clock,
    () => {
      const out = new Set<number>();
      for (const p of this.pods) {
        for (const c of p.record.containers) if (c.state.state === 'running') out.add(c.pgid);
      }
      return out;
    },
    silent,
    1,
    () => this.clock.nowMs(),
  );

  deps(): PodRuntimeDeps & { startEvidence: StartEvidenceSource } {
    const logs = {
      start() {},
      stop() {},
      rotate: () => this.rotations.push(this.clock.now),
      refresh() {},
      onGrow: () => () => undefined,
      indexes: {},
    };
    return {
      clock: this.clock,
      monitor: {
        watchChild: (pgid: number, _child: ChildProcess, onEnd: (e: GroupEnd) => void) =>
          this.ends.set(pgid, onEnd),
        adopt: (pgid: number, onEnd: (e: GroupEnd) => void) => this.ends.set(pgid, onEnd),
        checkSoon: () => undefined,
      } as unknown as GroupMonitor,
      table: { read: (pid: number) => this.procs.get(pid) },
      scanner: this.scanner,
      launch: (plan: LaunchPlan, _dir: string, _token: string) => {
        const pgid = this.nextPgid++;
        this.launches.push(`${plan.argv.join(' ')}@${this.clock.now}`);
        this.procs.set(pgid, proc(pgid, pgid));
        return {
          ok: true,
          run: { pgid, child: {} as ChildProcess, startedAtMs: this.clock.now, leaderStartTicks: pgid },
        };
      },
      files: {
        stderrInfo: () => ({ sizeBytes: 0 }),
        readExitCode: (dir) => this.exitCodes.get(dir),
        readRun: (dir, token) => this.runs.get(`${dir}/${token}`) ?? { state: 'absent' },
        removeRunFile: (dir, token) => this.runs.delete(`${dir}/${token}`),
        writePgidFile: (dir, pgid) => this.pgidFiles.set(dir, pgid),
      },
      newLaunchToken: () => `t${this.nextToken++}`,
      startEvidence: {
        readRun: (dir, token) => this.runs.get(`${dir}/${token}`) ?? { state: 'absent' },
        claimRun: (dir, token) => {
          if (this.runs.has(`${dir}/${token}`)) return false;
          this.runs.set(`${dir}/${token}`, { state: 'claimed' });
          return true;
        },
        sweep: (tokens) => new Map(tokens.map((t) => [t, this.tokens.get(t) ?? []])),
      },
      removePodDir: (dir) => {
        this.removed.push(dir);
        return Promise.resolve();
      },
      signalGroup: (pgid, sig) => {
        this.signals.push(`${sig}->${pgid}`);
        return this.ends.has(pgid);
      },
      signalProcess: (pid, sig) => {
        this.signals.push(`${sig}->pid ${pid}`);
        return this.procs.has(pid);
      },
      newLogs: () => logs as unknown as ContainerLogs,
      limiter: this.limiter,
      watchdog: {
        watch: (pgid, limitBytes, onExceeded) => this.watched.set(pgid, { limitBytes, onExceeded }),
        forget: (pgid) => this.watched.delete(pgid),
      },
      policy: 'fail',
      backoff: KUBERNETES_BACKOFF,
      keepPodDirs: false,
      bootId: 'boot-1',
      log: silent,
      onChange: () => this.changes++,
      persistNow: () => this.savedNow++,
      onFinished: (pod) => this.finished.push(pod.record.uid),
    };
  }

  /** The group's leader exits with `code` and nothing is left. */
  exit(pgid: number, code: number | null, signal: NodeJS.Signals | null = null): void {
    const onEnd = this.ends.get(pgid)!;
    this.ends.delete(pgid);
    this.procs.delete(pgid);
    onEnd({ pgid, leaderExit: { code, signal }, scanError: undefined });
  }
}

/** A pod record with the given containers (each runs its own name). */
export function record(
  containers: Array<Partial<ContainerRecord> & { name: string }>,
  restartPolicy = 'Never',
  uid = 'u1',
): PodRecord {
  return {
    version: 1,
    uid,
    namespace: 'ns',
    name: `p-${uid}`,
    restartPolicy,
    createdAtMs: 1,
    podDir: `/r/ns/p-${uid}`,
    podDirWritten: true,
    deleting: false,
    deleteStartedAtMs: 0,
    gracePeriodSeconds: 0,
    containers: containers.map((c) => ({
      init: false,
      image: '',
      dir: `/r/ns/p-${uid}/containers/${c.name}`,
      launch: { argv: [c.name], cwd: '/', podEnv: [] },
      setupError: undefined,
      state: waiting('ContainerCreating'),
      lastState: undefined,
      restartCount: 0,
      pgid: 0,
      leaderStartTicks: 0,
      bootId: 'boot-1',
      backoffMs: 0,
      restartAtMs: 0,
      ...c,
    })),
  };
}

/** An ordinary HPC user's runner: uid 1000, no capabilities, a launch that changes nothing. */
export const USER_RUNNER_SECURITY: HostSecurity = {
  runner: { uid: 1000, gid: 1000, groups: [1000], capabilities: 0n },
  can: { changeIds: false, limitCapabilities: false, noNewPrivs: false, chownFiles: false },
  accounts: { primaryGid: () => undefined, memberGroups: () => [] },
};
