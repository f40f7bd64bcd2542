import type { Logger } from '../../common/logger.js';
import { crashPoint } from '../crash-points.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import type { GroupEnd } from '../process/group-monitor.js';
import type { LaunchResult } from '../process/launch-plan.js';
import type { PodHealth } from '../probes/pod-health.js';
import { exitCodeOf, settleStart } from './container-run.js';
import { outcomeOfGroupEnd, terminatedFor, type RunOutcome, type StopInfo } from './container-status.js';
import { waiting, type ContainerRecord, type PodRecord } from './pod-record.js';
import type { PodRuntimeDepsOf } from './pod-runtime-deps.js';
import { restartPolicyOf } from './pod-spec-validation.js';
import { crashLoopMessage, nextBackoffMs, shouldRestart } from './restart-backoff.js';
import type { RunLimits } from './run-limits.js';
import type { StartOutcome } from './start-resolution.js';

/** What the runs use of the runner (a part of PodRuntimeDeps). */
export type PodRunsDeps = Pick<
  PodRuntimeDepsOf<unknown>,
  | 'clock'
  | 'log'
  | 'monitor'
  | 'table'
  | 'files'
  | 'newLaunchToken'
  | 'bootId'
  | 'settleLostStart'
  | 'newLogs'
  | 'policy'
  | 'backoff'
>;

/** What the runs need of their pod (PodRuntime). */
export interface PodRunsHost {
  readonly record: PodRecord;
  readonly key: string;
  readonly limits: RunLimits;
  readonly health: PodHealth | undefined;
  /** True once the runtime detached (runner shutdown). */
  detached(): boolean;
  /** The record changed: persist and publish it. */
  changed(): void;
  /** The container is due to start (its back-off is over, or a lost start never began). */
  start(c: ContainerRecord): void;
  /** A run ended: whatever is due next starts soon. */
  advanceSoon(): void;
  /** Deletion is under way and this container's run began: it gets the signals the others got. */
  deletionRunStarted(c: ContainerRecord): void;
  /** Deletion is under way and a container ended. */
  deletionContainerEnded(): void;
}

interface Live {
  logs: ContainerLogs | undefined;
  restartTimer: unknown;
}

/**
 * The runs of one pod's containers: a launch's result (running, failed, or
 * lost and settled from evidence), watching a run's group (started or
 * re-adopted), its end (exit code, OOM, probes' verdict), the restart under
 * back-off, and each container's logs. Single event loop; every transition
 * is logged and reported through host.changed().
 */
export class PodRuns {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly host: PodRunsHost,
    private readonly deps: PodRunsDeps,
  ) {
    for (const c of host.record.containers) this.add(c);
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private get record(): PodRecord {
    return this.host.record;
  }

  /** A container of the pod (one added later, ephemeral, too). */
  add(c: ContainerRecord): void {
    this.live.set(c.name, { logs: undefined, restartTimer: undefined });
  }

  /** Logs of a container (created on first use); undefined when the container never had a directory. */
  logsOf(name: string): ContainerLogs | undefined {
    const c = this.record.containers.find((x) => x.name === name);
    const l = this.live.get(name);
    if (!c || !l || !this.record.podDirWritten) return undefined;
    if (!l.logs) l.logs = this.deps.newLogs(c.dir, () => this.deps.monitor.checkSoon(c.pgid));
    return l.logs;
  }

  /** A launch's result: running, failed, or lost (settled from evidence). */
  launched(c: ContainerRecord, result: LaunchResult, logs: ContainerLogs | undefined, now: number): void {
    // Shutting down: the start stays launching in the record, for the next runner to settle.
    if (this.host.detached()) return;
    if (!result.ok && result.lost && this.deps.settleLostStart) {
      const outcome = this.deps.settleLostStart(c);
      if (outcome) this.settleLost(c, outcome);
      else this.host.changed();
      return;
    }
    c.launching = false;
    if (!result.ok) {
      this.log.info(
        { pod: this.host.key, container: c.name, reason: result.reason },
        'Container failed to start',
      );
      this.host.limits.ended(c);
      this.finish(c, { kind: 'setupFailed', reason: result.reason, message: result.message }, now);
      return;
    }
    const run = result.run;
    c.pgid = run.pgid;
    c.leaderStartTicks = run.leaderStartTicks;
    c.bootId = this.deps.bootId;
    c.state = { state: 'running', running: { startedAtMs: run.startedAtMs } };
    logs?.start(true);
    this.deps.monitor.watchChild(run.pgid, run.child, (end) => this.onGroupEnd(c, end));
    this.host.health?.runStarted(c.name, run.pgid, run.startedAtMs, c.launch!, false);
    this.host.limits.watch(c, () => this.host.changed());
    this.log.info(
      { pod: this.host.key, container: c.name, pgid: run.pgid, restartCount: c.restartCount },
      'Started container',
    );
    crashPoint('start.before-running-save');
    this.host.changed();
    // Its start was in flight when deletion began: it gets the signals the others got.
    if (this.record.deleting) this.host.deletionRunStarted(c);
  }

  /** A start the launcher lost, settled as a restarted runner settles one: adopted, ended, or started again. */
  private settleLost(c: ContainerRecord, outcome: StartOutcome): void {
    const now = this.deps.clock.nowMs();
    const ended = settleStart(c, outcome, this.deps, this.where(c), now);
    if (ended) {
      const oom = this.host.limits.ended(c);
      const o = ended.outcome;
      this.finish(c, o.kind === 'setupFailed' ? o : { ...o, oom }, ended.finishedAtMs);
    } else if (c.state.state === 'running') {
      this.adoptRun(c);
      this.host.changed();
      if (this.record.deleting) this.host.deletionRunStarted(c);
    } else if (this.record.deleting) {
      // Never began, and nothing may start now: the deletion goes on without it.
      this.host.limits.ended(c);
      this.host.changed();
      this.host.deletionContainerEnded();
    } else {
      this.host.limits.ended(c);
      this.host.start(c);
    }
  }

  /** Watches a running container whose group this runner did not start (or whose start it lost). */
  private adoptRun(c: ContainerRecord): void {
    this.logsOf(c.name)?.start(false);
    this.log.info({ pod: this.host.key, container: c.name, pgid: c.pgid }, 'Re-adopted container');
    this.deps.monitor.adopt(c.pgid, (end) => this.onGroupEnd(c, end));
    if (c.launch && c.state.state === 'running') {
      this.host.health?.runStarted(c.name, c.pgid, c.state.running.startedAtMs, c.launch, true);
    }
    this.host.limits.watch(c, () => this.host.changed());
  }

  /**
   * Takes a container over after a runner restart: a start the previous
   * runner left unsettled takes its outcome (see start-resolution.ts), a
   * live group is watched again (never restarted), an ended one reports the
   * exit code its wrapper recorded, a back-off timer resumes.
   */
  resume(c: ContainerRecord, outcome: StartOutcome | undefined): void {
    const ended = outcome && settleStart(c, outcome, this.deps, this.where(c), this.deps.clock.nowMs());
    if (ended) {
      const oom = this.host.limits.ended(c);
      const o = ended.outcome;
      this.finish(c, o.kind === 'setupFailed' ? o : { ...o, oom }, ended.finishedAtMs);
    }
    if (c.state.state === 'running') {
      const now = this.deps.clock.nowMs();
      if (c.bootId !== this.deps.bootId) {
        this.finish(c, { kind: 'vanished', detail: 'the host rebooted; the processes are gone' }, now);
        return;
      }
      const leader = this.deps.table.read(c.pgid);
      if (
        leader &&
        leader.pgrp === c.pgid &&
        c.leaderStartTicks > 0 &&
        leader.startTicks !== c.leaderStartTicks
      ) {
        // The pid now leads someone else's group: ours ended while the runner was down.
        this.onGroupEnd(c, { pgid: c.pgid, leaderExit: undefined, scanError: undefined });
        return;
      }
      this.adoptRun(c);
    } else if (c.state.state === 'waiting' && c.restartAtMs > 0 && !this.record.deleting) {
      this.armRestart(c);
    }
  }

  private where(c: ContainerRecord): { pod: string; container: string } {
    return { pod: this.host.key, container: c.name };
  }

  private onGroupEnd(c: ContainerRecord, end: GroupEnd): void {
    if (c.state.state !== 'running' || c.pgid !== end.pgid) return;
    const stop: StopInfo | undefined = this.record.deleting
      ? { gracePeriodSeconds: this.record.gracePeriodSeconds, killed: c.killed === true }
      : undefined;
    crashPoint('exit.before-record');
    const oom = this.host.limits.ended(c);
    const outcome = outcomeOfGroupEnd(
      end,
      stop,
      { exitCodeFile: () => exitCodeOf(c, this.deps.files), stderr: () => this.deps.files.stderrInfo(c.dir) },
      c.cgroupJoined === true,
    );
    this.finish(c, outcome.kind === 'setupFailed' ? outcome : { ...outcome, oom }, this.deps.clock.nowMs());
  }

  /** A run ended (or could not start): terminated, and restarted after a back-off when the policy says so. */
  finish(c: ContainerRecord, outcome: RunOutcome, finishedAtMs: number): void {
    const t = terminatedFor(outcome, this.deps.policy);
    // A run stopped for a failed liveness or startup probe restarts unless the policy is Never.
    const ended = this.host.health?.runEnded(c.name) ?? { forceRestart: false, message: '' };
    if (ended.message && !t.message) t.message = ended.message;
    const startedAtMs = c.state.state === 'running' ? c.state.running.startedAtMs : finishedAtMs;
    c.state = { state: 'terminated', terminated: { ...t, startedAtMs, finishedAtMs } };
    this.live.get(c.name)?.logs?.stop();
    this.log.info(
      { pod: this.host.key, container: c.name, pgid: c.pgid, exitCode: t.exitCode, reason: t.reason },
      'Container terminated',
    );
    if (this.record.deleting) {
      this.host.changed();
      this.host.deletionContainerEnded();
      return;
    }
    const policy = restartPolicyOf(this.record);
    // A refused layout or unresolvable image cannot get better by retrying; ephemeral containers never restart.
    const final = c.launch === undefined || c.ephemeral === true;
    if (!final && shouldRestart(policy, c.init, t.exitCode === 0 && !ended.forceRestart)) {
      const backoffMs = nextBackoffMs(c.backoffMs, finishedAtMs - startedAtMs, this.deps.backoff);
      c.backoffMs = backoffMs;
      c.lastState = c.state;
      c.state = waiting('CrashLoopBackOff', crashLoopMessage(backoffMs, c.name, this.record.name));
      c.restartAtMs = finishedAtMs + backoffMs;
      // As in Kubernetes, the run that just ended is the "previous" one from now on.
      this.logsOf(c.name)?.rotate();
      this.armRestart(c);
    }
    this.host.changed();
    this.host.advanceSoon();
  }

  private armRestart(c: ContainerRecord): void {
    const l = this.live.get(c.name)!;
    if (l.restartTimer !== undefined) this.deps.clock.clearTimeout(l.restartTimer);
    l.restartTimer = this.deps.clock.setTimeout(() => {
      l.restartTimer = undefined;
      if (this.record.deleting || c.restartAtMs === 0) return;
      c.restartAtMs = 0;
      c.restartCount++;
      this.log.info(
        { pod: this.host.key, container: c.name, restartCount: c.restartCount },
        'Restarting container',
      );
      this.host.start(c);
    }, c.restartAtMs - this.deps.clock.nowMs());
  }

  /** Cancels every planned restart (deletion, shutdown). */
  cancelRestarts(): void {
    for (const l of this.live.values()) {
      if (l.restartTimer !== undefined) this.deps.clock.clearTimeout(l.restartTimer);
      l.restartTimer = undefined;
    }
  }

  /** Stops following every container's logs. */
  stopLogs(): void {
    for (const l of this.live.values()) l.logs?.stop();
  }
}
