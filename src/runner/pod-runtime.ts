import { constants } from 'node:os';
import type { Logger } from '../common/logger.js';
import type { Pod } from '../generated/vkcmd/runner/v1/Pod.js';
import type { ContainerLogs } from './container-logs.js';
import { terminatedFor, type RunOutcome, type StopInfo } from './container-status.js';
import type { GroupEnd } from './group-monitor.js';
import { podToProto, waiting, type ContainerRecord, type PodRecord } from './pod-record.js';
import type { PodRuntimeDeps } from './pod-runtime-deps.js';
import { restartPolicyOf } from './pod-spec-validation.js';
import { GroupKiller } from './group-killer.js';
import { crashLoopMessage, nextBackoffMs, shouldRestart } from './restart-backoff.js';

interface Live {
  logs: ContainerLogs | undefined;
  restartTimer: unknown;
  killed: boolean;
}

const SIGKILL = constants.signals.SIGKILL;

/**
 * The state machine of one pod. Containers go waiting -> running ->
 * terminated, and under Always/OnFailure back to waiting (CrashLoopBackOff)
 * -> running. Init containers run one at a time before the app containers.
 * Deletion: SIGTERM, grace period, SIGKILL of groups and escaped
 * descendants, then the directory is removed and onFinished fires. Single
 * event loop; every transition is logged and reported through onChange.
 */
export type { PodRuntimeDeps };

export class PodRuntime {
  private readonly live = new Map<string, Live>();
  private killTimer: unknown;
  private killSent = false;
  private readonly killer: GroupKiller;
  private advanceQueued = false;
  revision = 0;

  constructor(
    readonly record: PodRecord,
    private readonly deps: PodRuntimeDeps,
  ) {
    this.killer = new GroupKiller(deps.table, deps.signalGroup, deps.signalProcess, deps.log);
    for (const c of record.containers) {
      this.live.set(c.name, { logs: undefined, restartTimer: undefined, killed: false });
    }
  }

  get key(): string {
    return `${this.record.namespace}/${this.record.name}`;
  }

  private get log(): Logger {
    return this.deps.log;
  }

  toProto(): Pod {
    return podToProto(this.record, this.revision);
  }

  /** Logs of a container (created on first use); undefined when the container never had a directory. */
  logsOf(name: string): ContainerLogs | undefined {
    const c = this.record.containers.find((x) => x.name === name);
    const l = this.live.get(name);
    if (!c || !l || !this.record.podDirWritten) return undefined;
    if (!l.logs) l.logs = this.deps.newLogs(c.dir, () => this.deps.monitor.scanSoon());
    return l.logs;
  }

  /** Starts whatever is due: the next init container, or every waiting app container. Idempotent. */
  advance(): void {
    if (this.record.deleting) return;
    for (const c of this.record.containers.filter((x) => x.init)) {
      const s = c.state;
      if (s.state === 'terminated' && s.terminated.exitCode === 0) continue;
      if (s.state === 'waiting' && c.restartAtMs === 0) this.start(c, false);
      return;
    }
    for (const c of this.record.containers.filter((x) => !x.init)) {
      if (c.state.state === 'waiting' && c.restartAtMs === 0) this.start(c, false);
    }
  }

  private scheduleAdvance(): void {
    if (this.advanceQueued) return;
    this.advanceQueued = true;
    queueMicrotask(() => {
      this.advanceQueued = false;
      this.advance();
    });
  }

  private start(c: ContainerRecord, restart: boolean): void {
    const now = this.deps.clock.nowMs();
    if (!c.launch) {
      const failure = c.setupError ?? { reason: 'cmdStartError', message: 'nothing to run' };
      this.finishRun(
        c,
        { kind: 'setupFailed', reason: failure.reason as 'cmdStartError', message: failure.message },
        now,
      );
      return;
    }
    const logs = this.logsOf(c.name);
    if (restart) logs?.rotate();
    const result = this.deps.launch(c.launch, c.dir);
    if (!result.ok) {
      this.log.info({ pod: this.key, container: c.name, reason: result.reason }, 'Container failed to start');
      this.finishRun(c, { kind: 'setupFailed', reason: result.reason, message: result.message }, now);
      return;
    }
    const run = result.run;
    c.pgid = run.pgid;
    c.leaderStartTicks = run.leaderStartTicks;
    c.bootId = this.deps.bootId;
    c.state = { state: 'running', running: { startedAtMs: run.startedAtMs } };
    logs?.start(true);
    this.deps.monitor.watchChild(run.pgid, run.child, (end) => this.onGroupEnd(c, end));
    this.log.info(
      { pod: this.key, container: c.name, pgid: run.pgid, restartCount: c.restartCount },
      'Started container',
    );
    this.deps.onChange(this);
  }

  private onGroupEnd(c: ContainerRecord, end: GroupEnd): void {
    if (c.state.state !== 'running' || c.pgid !== end.pgid) return;
    const l = this.live.get(c.name)!;
    const stop: StopInfo | undefined = this.record.deleting
      ? { gracePeriodSeconds: this.record.gracePeriodSeconds, killed: l.killed }
      : undefined;
    let outcome: RunOutcome;
    if (end.scanError) {
      outcome = {
        kind: 'setupFailed',
        reason: 'getPidsError',
        message: `Error getting pids: ${end.scanError.message}`,
      };
    } else if (end.leaderExit && end.leaderExit.code !== null) {
      outcome = { kind: 'exited', exitCode: end.leaderExit.code, stderr: this.deps.stderrInfo(c.dir), stop };
    } else if (end.leaderExit) {
      const signal = end.leaderExit.signal ? constants.signals[end.leaderExit.signal] : SIGKILL;
      outcome = { kind: 'signaled', signal, stop };
    } else {
      const code = this.deps.readExitCode(c.dir);
      if (code !== undefined)
        outcome = { kind: 'exited', exitCode: code, stderr: this.deps.stderrInfo(c.dir), stop };
      else if (l.killed) outcome = { kind: 'signaled', signal: SIGKILL, stop };
      else {
        outcome = {
          kind: 'vanished',
          detail:
            'the processes ended while the runner was not watching and left no exit code (killed by SIGKILL?)',
          stop,
        };
      }
    }
    this.finishRun(c, outcome, this.deps.clock.nowMs());
  }

  private finishRun(c: ContainerRecord, outcome: RunOutcome, finishedAtMs: number): void {
    const t = terminatedFor(outcome, this.deps.policy);
    const startedAtMs = c.state.state === 'running' ? c.state.running.startedAtMs : finishedAtMs;
    c.state = { state: 'terminated', terminated: { ...t, startedAtMs, finishedAtMs } };
    this.live.get(c.name)?.logs?.stop();
    this.log.info(
      { pod: this.key, container: c.name, pgid: c.pgid, exitCode: t.exitCode, reason: t.reason },
      'Container terminated',
    );
    if (this.record.deleting) {
      this.deps.onChange(this);
      this.checkDeletionDone();
      return;
    }
    const policy = restartPolicyOf(this.record);
    // A refused layout or unresolvable image cannot get better by retrying.
    const final = c.launch === undefined;
    if (!final && shouldRestart(policy, c.init, t.exitCode === 0)) {
      const backoffMs = nextBackoffMs(c.backoffMs, finishedAtMs - startedAtMs, this.deps.backoff);
      c.backoffMs = backoffMs;
      c.lastState = c.state;
      c.state = waiting('CrashLoopBackOff', crashLoopMessage(backoffMs, c.name, this.record.name));
      c.restartAtMs = finishedAtMs + backoffMs;
      this.armRestart(c);
    }
    this.deps.onChange(this);
    this.scheduleAdvance();
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
        { pod: this.key, container: c.name, restartCount: c.restartCount },
        'Restarting container',
      );
      this.start(c, true);
    }, c.restartAtMs - this.deps.clock.nowMs());
  }

  /**
   * Takes over after a runner restart: live groups are watched again (never
   * restarted), ended ones report the exit code their wrapper recorded,
   * back-off timers resume and an interrupted deletion continues.
   */
  resume(): void {
    for (const c of this.record.containers) {
      if (c.state.state === 'waiting') this.adoptUnrecordedStart(c);
      if (c.state.state === 'running') {
        const now = this.deps.clock.nowMs();
        if (c.bootId !== this.deps.bootId) {
          this.finishRun(c, { kind: 'vanished', detail: 'the host rebooted; the processes are gone' }, now);
          continue;
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
          continue;
        }
        this.logsOf(c.name)?.start(false);
        this.log.info({ pod: this.key, container: c.name, pgid: c.pgid }, 'Re-adopted container');
        this.deps.monitor.adopt(c.pgid, (end) => this.onGroupEnd(c, end));
      } else if (c.state.state === 'waiting' && c.restartAtMs > 0 && !this.record.deleting) {
        this.armRestart(c);
      }
    }
    if (this.record.deleting) this.resumeDeletion();
    else this.advance();
  }

  /** A start whose record was not saved before the runner died still left a pgid file: adopt that group. */
  private adoptUnrecordedStart(c: ContainerRecord): void {
    const found = this.deps.readPgidFile(c.dir);
    if (!found || found.pgid === c.pgid || !this.deps.signalGroup(found.pgid, 0)) return;
    const isRestart = c.restartAtMs > 0;
    if (isRestart) c.restartCount++;
    c.restartAtMs = 0;
    c.pgid = found.pgid;
    c.leaderStartTicks = 0;
    c.bootId = this.deps.bootId;
    c.state = { state: 'running', running: { startedAtMs: Math.round(found.mtimeMs) } };
  }

  /** Begins deletion (idempotent; a shorter grace period replaces a longer one). */
  delete(gracePeriodSeconds: number): void {
    const now = this.deps.clock.nowMs();
    if (this.record.deleting) {
      const oldDeadline = this.record.deleteStartedAtMs + this.record.gracePeriodSeconds * 1000;
      if (now + gracePeriodSeconds * 1000 >= oldDeadline) return;
      this.record.deleteStartedAtMs = now;
      this.record.gracePeriodSeconds = gracePeriodSeconds;
      this.armKill(gracePeriodSeconds * 1000);
      this.deps.onChange(this);
      return;
    }
    this.record.deleting = true;
    this.record.deleteStartedAtMs = now;
    this.record.gracePeriodSeconds = gracePeriodSeconds;
    this.log.info({ pod: this.key, uid: this.record.uid, gracePeriodSeconds }, 'Deleting pod');
    this.sendTerm();
    this.armKill(gracePeriodSeconds * 1000);
    this.deps.onChange(this);
    this.checkDeletionDone();
  }

  private resumeDeletion(): void {
    const remainingMs =
      this.record.deleteStartedAtMs + this.record.gracePeriodSeconds * 1000 - this.deps.clock.nowMs();
    this.sendTerm();
    this.armKill(remainingMs);
    this.checkDeletionDone();
  }

  private running(): ContainerRecord[] {
    return this.record.containers.filter((c) => c.state.state === 'running');
  }

  private sendTerm(): void {
    for (const c of this.record.containers) {
      const l = this.live.get(c.name)!;
      if (l.restartTimer !== undefined) this.deps.clock.clearTimeout(l.restartTimer);
      l.restartTimer = undefined;
    }
    const pgids = this.running().map((c) => c.pgid);
    this.killer.signal(pgids, 'SIGTERM');
    if (pgids.length > 0) this.log.debug({ pod: this.key, pgids }, 'Sent SIGTERM');
  }

  private armKill(delayMs: number): void {
    if (this.killTimer !== undefined) this.deps.clock.clearTimeout(this.killTimer);
    this.killTimer = undefined;
    if (delayMs <= 0) {
      this.killNow();
      return;
    }
    this.killTimer = this.deps.clock.setTimeout(
      () =>
        this.guarded('kill', () => {
          this.killTimer = undefined;
          this.killNow();
        }),
      delayMs,
    );
  }

  private killNow(): void {
    const running = this.running();
    for (const c of running) this.live.get(c.name)!.killed = true;
    this.killer.signal(
      running.map((c) => c.pgid),
      'SIGKILL',
    );
    if (running.length > 0)
      this.log.info({ pod: this.key, pgids: running.map((c) => c.pgid) }, 'Grace period over; sent SIGKILL');
    this.killSent = true;
    this.deps.monitor.scanSoon();
    this.checkDeletionDone();
  }

  private checkDeletionDone(): void {
    if (!this.record.deleting || this.running().length > 0) return;
    if (!this.killSent && this.killer.escapeesAlive()) return;
    if (this.killTimer !== undefined) this.deps.clock.clearTimeout(this.killTimer);
    this.killTimer = undefined;
    for (const l of this.live.values()) l.logs?.stop();
    if (this.record.podDirWritten && !this.deps.keepPodDirs) {
      try {
        this.deps.removePodDir(this.record.podDir);
      } catch (err) {
        this.log.error({ err, pod: this.key, dir: this.record.podDir }, 'Failed to remove pod directory');
      }
    }
    this.log.info({ pod: this.key, uid: this.record.uid }, 'Pod deleted');
    this.deps.onFinished(this);
  }

  /** Runs a timer callback; a failure is logged instead of crashing the runner. */
  private guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, pod: this.key, what }, 'Pod timer failed');
    }
  }

  /** Stops timers and watchers without touching processes (runner shutdown). */
  detach(): void {
    for (const l of this.live.values()) {
      if (l.restartTimer !== undefined) this.deps.clock.clearTimeout(l.restartTimer);
      l.restartTimer = undefined;
      l.logs?.stop();
    }
    if (this.killTimer !== undefined) this.deps.clock.clearTimeout(this.killTimer);
    this.killTimer = undefined;
  }
}
