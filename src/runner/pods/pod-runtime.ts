import type { Logger } from '../../common/logger.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { ProbeCounter } from '../../generated/vkcmd/runner/v1/ProbeCounter.js';
import { podHealthOf, type PodHealth, type PodHealthDeps } from '../probes/pod-health.js';
import { crashPoint } from '../crash-points.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import type { LaunchPlan, LaunchResult } from '../process/container-launcher.js';
import type { CgroupRun } from '../process/container-limiter.js';
import type { GroupEnd, GroupMonitor } from '../process/group-monitor.js';
import { exitCodeOf, recordIntents, settleStart, type ContainerFiles } from './container-run.js';
import {
  outcomeOfGroupEnd,
  terminatedFor,
  type RunOutcome,
  type StderrPolicy,
  type StopInfo,
} from './container-status.js';
import { PodDeletion, type DeletionDeps } from './pod-deletion.js';
import { podToProto, waiting, type ContainerRecord, type PodRecord } from './pod-record.js';
import { restartPolicyOf } from './pod-spec-validation.js';
import { RunLimits, type RunLimitsDeps } from './run-limits.js';
import { crashLoopMessage, nextBackoffMs, shouldRestart, type BackoffSettings } from './restart-backoff.js';
import type { StartOutcome } from './start-resolution.js';
import type { StartHost } from './start-queue.js';
import { errorMessage } from '../../common/errors.js';

/** Most intents saved together: the batch's own starts and, ahead of their turn, more of the pod's queued ones. */
export const INTENT_BATCH = 64;

/** Where a pod's due starts go (start-queue.ts): it calls the pod's startBatch later. */
export interface StartScheduler {
  /** Queues a start (idempotent per container). */
  enqueue(host: StartHost, c: ContainerRecord): void;
  /** Forgets the pod's queued starts (deletion); those in flight settle on their own. */
  drop(host: StartHost): void;
}

/** Everything a pod's state machine touches outside itself; its deletion gets the DeletionDeps part. */
export interface PodRuntimeDeps extends DeletionDeps, RunLimitsDeps {
  monitor: Pick<GroupMonitor, 'watchChild' | 'adopt' | 'checkSoon'>;
  /**
   * Starts a run whose group carries `launchToken` (see container-launcher.ts), in `cgroup` when
   * given. A promise while the launcher forks (the container stays launching until it settles).
   */
  launch: (
    plan: LaunchPlan,
    containerDir: string,
    launchToken: string,
    cgroup?: CgroupRun,
  ) => LaunchResult | Promise<LaunchResult>;
  /** The runner-wide start queue; without it a due start is begun at once, alone. */
  starts?: StartScheduler;
  /**
   * How a start the launcher lost ended (LaunchResult.lost), from evidence
   * (start-resolution.ts); undefined when the evidence cannot be gathered (the start then
   * stays launching, for the next runner to settle). Without it such a start fails with the result's reason.
   */
  settleLostStart?: (c: ContainerRecord) => StartOutcome | undefined;
  files: ContainerFiles;
  /** A fresh random launch token. */
  newLaunchToken: () => string;
  /** Removes a deleted pod's directory (and its namespace directory when empty). */
  removePodDir: (podDir: string) => Promise<void>;
  newLogs: (containerDir: string, onExitCodeFile: () => void) => ContainerLogs;
  policy: StderrPolicy;
  backoff: BackoffSettings;
  keepPodDirs: boolean;
  bootId: string;
  /** Probes and lifecycle hooks; without it they are not run (started and ready stay unset). */
  health?: PodHealthDeps | undefined;
  /** After any change; the owner persists the record and publishes the pod. */
  onChange: (pod: PodRuntime) => void;
  /** Saves the record now (a start's intent must be on disk before its process exists); throws on failure. */
  persistNow: (pod: PodRuntime) => void;
  /** Deletion is complete: every process is gone and the directory is cleaned up. */
  onFinished: (pod: PodRuntime) => void;
}

interface Live {
  logs: ContainerLogs | undefined;
  restartTimer: unknown;
}

/**
 * The state machine of one pod. Containers go waiting -> running ->
 * terminated, and under Always/OnFailure back to waiting (CrashLoopBackOff)
 * -> running. Init containers run one at a time before the app containers.
 * Deletion (PodDeletion): SIGTERM, grace period, SIGKILL of the groups and
 * of every process that left them, then the directory is removed and
 * onFinished fires. Single event loop; every transition is logged and
 * reported through onChange.
 */
export class PodRuntime implements StartHost {
  private readonly live = new Map<string, Live>();
  /** Containers handed to the start queue and not yet taken by a batch. */
  private readonly queued = new Set<ContainerRecord>();
  /**
   * Queued containers whose intent an earlier batch saved (launching, no
   * request sent yet), with their cgroup: sent when the queue takes them.
   */
  private readonly presaved = new Map<ContainerRecord, { cgroup: CgroupRun | undefined }>();
  private detached = false;
  /** The containers of the first batch the queue took whose start is not over yet. */
  private firstBatch: Set<ContainerRecord> | undefined;
  private firstBatchDone: () => void = () => undefined;
  private readonly firstBatchSettled = new Promise<void>((resolve) => (this.firstBatchDone = resolve));
  private readonly deletion: PodDeletion;
  private readonly limits: RunLimits;
  private advanceQueued = false;
  private readonly health: PodHealth | undefined;
  revision = 0;

  constructor(
    readonly record: PodRecord,
    private readonly deps: PodRuntimeDeps,
  ) {
    for (const c of record.containers) this.live.set(c.name, { logs: undefined, restartTimer: undefined });
    this.limits = new RunLimits(record.uid, this.key, deps);
    this.deletion = new PodDeletion(
      {
        record,
        key: this.key,
        running: () => this.running(),
        launching: () => this.record.containers.some((c) => c.launching === true),
        cancelRestarts: () => this.cancelRestarts(),
        beforeTerm: (boundMs) => this.preStop(boundMs),
        changed: () => this.deps.onChange(this),
        finished: () => this.finished(),
      },
      deps,
    );
    this.health = deps.health && podHealthOf(record, deps.health, () => this.deps.onChange(this));
  }

  get key(): string {
    return `${this.record.namespace}/${this.record.name}`;
  }

  private get log(): Logger {
    return this.deps.log;
  }

  toProto(): Pod {
    const health = this.health;
    if (!health) return podToProto(this.record, this.revision);
    health.notePublished();
    return podToProto(this.record, this.revision, (c) => (c.init ? undefined : health.statusOf(c.name)));
  }

  probeCounters(): ProbeCounter[] {
    return this.health?.probeCounters() ?? [];
  }

  /** Logs of a container (created on first use); undefined when the container never had a directory. */
  logsOf(name: string): ContainerLogs | undefined {
    const c = this.record.containers.find((x) => x.name === name);
    const l = this.live.get(name);
    if (!c || !l || !this.record.podDirWritten) return undefined;
    if (!l.logs) l.logs = this.deps.newLogs(c.dir, () => this.deps.monitor.checkSoon(c.pgid));
    return l.logs;
  }

  /** Adds a container to the running pod (an ephemeral one) and starts it. */
  addContainer(c: ContainerRecord): void {
    this.record.containers.push(c);
    this.live.set(c.name, { logs: undefined, restartTimer: undefined });
    this.deps.onChange(this);
    this.advance();
  }

  /**
   * Starts whatever is due: the next init container (once the one before
   * succeeded), or every waiting app container; through the start queue when
   * there is one. Idempotent. A start whose outcome is not settled
   * (launching) or that is queued is never started again.
   */
  advance(): void {
    if (this.record.deleting) return;
    const due = (c: ContainerRecord): boolean =>
      c.state.state === 'waiting' && c.restartAtMs === 0 && c.launching !== true && !this.queued.has(c);
    for (const c of this.record.containers.filter((x) => x.init)) {
      const s = c.state;
      if (s.state === 'terminated' && s.terminated.exitCode === 0) continue;
      if (due(c)) this.start(c);
      return;
    }
    for (const c of this.record.containers.filter((x) => !x.init)) if (due(c)) this.start(c);
  }

  /**
   * Resolves once the first batch of this pod's starts is over (its
   * containers running or failed), at once when none is queued (nothing
   * due, or deletion began). CreatePod answers with the state after it.
   */
  firstStarts(): Promise<void> {
    if (this.firstBatch === undefined && this.queued.size === 0) this.firstBatchDone();
    return this.firstBatchSettled;
  }

  private scheduleAdvance(): void {
    if (this.advanceQueued) return;
    this.advanceQueued = true;
    queueMicrotask(() => {
      this.advanceQueued = false;
      this.advance();
    });
  }

  private start(c: ContainerRecord): void {
    if (c.securityRefusal !== undefined) return; // stays waiting CreateContainerConfigError
    const starts = this.deps.starts;
    if (!starts) {
      this.startBatch([c], () => undefined);
      return;
    }
    if (this.queued.has(c)) return;
    this.queued.add(c);
    starts.enqueue(this, c);
  }

  /**
   * Starts containers the queue took (StartHost): checks and limits per
   * container, one save for all their intents, then each launch; `settled`
   * once per container when its start is over. A container that is no
   * longer due (deletion began, it started meanwhile) is skipped.
   */
  startBatch(cs: readonly ContainerRecord[], onSettled: (c: ContainerRecord) => void): void {
    const first = this.firstBatch === undefined ? (this.firstBatch = new Set(cs)) : undefined;
    const settled = (c: ContainerRecord): void => {
      onSettled(c);
      if (first?.delete(c) && first.size === 0) this.firstBatchDone();
    };
    const now = this.deps.clock.nowMs();
    const go: Array<{ c: ContainerRecord; cgroup: CgroupRun | undefined }> = [];
    const ready: typeof go = [];
    for (const c of cs) {
      this.queued.delete(c);
      const saved = this.presaved.get(c);
      this.presaved.delete(c);
      if (saved && c.launching === true && !this.detached && !this.record.deleting) {
        ready.push({ c, cgroup: saved.cgroup });
        continue;
      }
      const prepared = this.prepare(c, now);
      if (prepared) go.push({ c, cgroup: prepared.cgroup });
      else settled(c);
    }
    // Intents of more queued containers go into the same save, so a big pod costs few whole-record saves.
    const extra: typeof go = [];
    for (const c of this.queued) {
      if (go.length + extra.length >= INTENT_BATCH || this.detached || this.record.deleting) break;
      if (this.presaved.has(c)) continue;
      const prepared = this.prepare(c, now);
      if (prepared) extra.push({ c, cgroup: prepared.cgroup });
    }
    const save = [...go, ...extra];
    if (save.length > 0) {
      // After beforeStart, so the intents save whether each run joins a cgroup.
      const intents = recordIntents(
        save.map((g) => g.c),
        this.deps,
        () => this.deps.persistNow(this),
        (c) => this.where(c),
        now,
      );
      if (!('tokens' in intents)) {
        for (const { c } of save) {
          this.limits.ended(c);
          this.finishRun(c, intents.outcome, intents.finishedAtMs);
        }
        for (const { c } of go) settled(c);
        go.length = 0;
      } else {
        for (const e of extra) this.presaved.set(e.c, { cgroup: e.cgroup });
      }
    }
    for (const { c, cgroup } of [...ready, ...go]) this.launchOne(c, cgroup, now, () => settled(c));
  }

  /**
   * Whether a container taken for a start can be started: a refused or
   * impossible one is finished here (or left waiting), and undefined
   * returned; else its cgroup (limits.beforeStart).
   */
  private prepare(c: ContainerRecord, now: number): { cgroup: CgroupRun | undefined } | undefined {
    const stillDue = c.state.state === 'waiting' && c.restartAtMs === 0 && c.launching !== true;
    if (this.detached || this.record.deleting || !stillDue || c.securityRefusal !== undefined)
      return undefined;
    if (!c.launch) {
      const failure = c.setupError ?? { reason: 'cmdStartError', message: 'nothing to run' };
      this.finishRun(c, { kind: 'setupFailed', ...failure }, now);
      return undefined;
    }
    const limits = this.limits.beforeStart(c);
    if (!limits.ok) {
      this.log.info(
        { pod: this.key, container: c.name, reason: 'cmdStartError' },
        'Container failed to start',
      );
      this.finishRun(c, { kind: 'setupFailed', reason: 'cmdStartError', message: limits.message }, now);
      return undefined;
    }
    return { cgroup: limits.cgroup };
  }

  private launchOne(c: ContainerRecord, cgroup: CgroupRun | undefined, now: number, done: () => void): void {
    const logs = this.logsOf(c.name);
    const failed = (err: unknown): LaunchResult => ({
      ok: false,
      reason: 'cmdStartError',
      message: errorMessage(err),
    });
    let result: LaunchResult | Promise<LaunchResult>;
    try {
      result = this.deps.launch(c.launch!, c.dir, c.launchToken!, cgroup);
    } catch (err) {
      result = failed(err);
    }
    const apply = (r: LaunchResult): void => {
      try {
        this.launched(c, r, logs, now);
      } catch (err) {
        this.log.error({ err, pod: this.key, container: c.name }, 'Recording a start failed');
      } finally {
        done();
      }
    };
    if (result instanceof Promise) result.then(apply, (err: unknown) => apply(failed(err)));
    else apply(result);
  }

  /** A launch's result: running, failed, or lost (settled from evidence). */
  private launched(
    c: ContainerRecord,
    result: LaunchResult,
    logs: ContainerLogs | undefined,
    now: number,
  ): void {
    // Shutting down: the start stays launching in the record, for the next runner to settle.
    if (this.detached) return;
    if (!result.ok && result.lost && this.deps.settleLostStart) {
      const outcome = this.deps.settleLostStart(c);
      if (outcome) this.settleLost(c, outcome);
      else this.deps.onChange(this);
      return;
    }
    c.launching = false;
    if (!result.ok) {
      this.log.info({ pod: this.key, container: c.name, reason: result.reason }, 'Container failed to start');
      this.limits.ended(c);
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
    this.health?.runStarted(c.name, run.pgid, run.startedAtMs, c.launch!, false);
    this.limits.watch(c, () => this.deps.onChange(this));
    this.log.info(
      { pod: this.key, container: c.name, pgid: run.pgid, restartCount: c.restartCount },
      'Started container',
    );
    crashPoint('start.before-running-save');
    this.deps.onChange(this);
    // Its start was in flight when deletion began: it gets the signals the others got.
    if (this.record.deleting) this.deletion.runStarted(c);
  }

  /** A start the launcher lost, settled as a restarted runner settles one: adopted, ended, or started again. */
  private settleLost(c: ContainerRecord, outcome: StartOutcome): void {
    const now = this.deps.clock.nowMs();
    const ended = settleStart(c, outcome, this.deps, this.where(c), now);
    if (ended) {
      const oom = this.limits.ended(c);
      const o = ended.outcome;
      this.finishRun(c, o.kind === 'setupFailed' ? o : { ...o, oom }, ended.finishedAtMs);
    } else if (c.state.state === 'running') {
      this.adoptRun(c);
      this.deps.onChange(this);
      if (this.record.deleting) this.deletion.runStarted(c);
    } else if (this.record.deleting) {
      // Never began, and nothing may start now: the deletion goes on without it.
      this.limits.ended(c);
      this.deps.onChange(this);
      this.deletion.containerEnded();
    } else {
      this.limits.ended(c);
      this.start(c);
    }
  }

  /** Watches a running container whose group this runner did not start (or whose start it lost). */
  private adoptRun(c: ContainerRecord): void {
    this.logsOf(c.name)?.start(false);
    this.log.info({ pod: this.key, container: c.name, pgid: c.pgid }, 'Re-adopted container');
    this.deps.monitor.adopt(c.pgid, (end) => this.onGroupEnd(c, end));
    if (c.launch && c.state.state === 'running') {
      this.health?.runStarted(c.name, c.pgid, c.state.running.startedAtMs, c.launch, true);
    }
    this.limits.watch(c, () => this.deps.onChange(this));
  }

  private where(c: ContainerRecord): { pod: string; container: string } {
    return { pod: this.key, container: c.name };
  }

  private onGroupEnd(c: ContainerRecord, end: GroupEnd): void {
    if (c.state.state !== 'running' || c.pgid !== end.pgid) return;
    const stop: StopInfo | undefined = this.record.deleting
      ? { gracePeriodSeconds: this.record.gracePeriodSeconds, killed: c.killed === true }
      : undefined;
    crashPoint('exit.before-record');
    const oom = this.limits.ended(c);
    const outcome = outcomeOfGroupEnd(
      end,
      stop,
      { exitCodeFile: () => exitCodeOf(c, this.deps.files), stderr: () => this.deps.files.stderrInfo(c.dir) },
      c.cgroupJoined === true,
    );
    this.finishRun(
      c,
      outcome.kind === 'setupFailed' ? outcome : { ...outcome, oom },
      this.deps.clock.nowMs(),
    );
  }

  private finishRun(c: ContainerRecord, outcome: RunOutcome, finishedAtMs: number): void {
    const t = terminatedFor(outcome, this.deps.policy);
    // A run stopped for a failed liveness or startup probe restarts unless the policy is Never.
    const ended = this.health?.runEnded(c.name) ?? { forceRestart: false, message: '' };
    if (ended.message && !t.message) t.message = ended.message;
    const startedAtMs = c.state.state === 'running' ? c.state.running.startedAtMs : finishedAtMs;
    c.state = { state: 'terminated', terminated: { ...t, startedAtMs, finishedAtMs } };
    this.live.get(c.name)?.logs?.stop();
    this.log.info(
      { pod: this.key, container: c.name, pgid: c.pgid, exitCode: t.exitCode, reason: t.reason },
      'Container terminated',
    );
    if (this.record.deleting) {
      this.deps.onChange(this);
      this.deletion.containerEnded();
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
      this.start(c);
    }, c.restartAtMs - this.deps.clock.nowMs());
  }

  /**
   * Takes over after a runner restart: starts the previous runner left
   * unsettled take their outcome from `settled` (see start-resolution.ts),
   * live groups are watched again (never restarted), ended ones report the
   * exit code their wrapper recorded, back-off timers resume and an
   * interrupted deletion continues.
   */
  resume(settled: ReadonlyMap<ContainerRecord, StartOutcome> = new Map()): void {
    for (const c of this.record.containers) {
      const outcome = settled.get(c);
      const ended = outcome && settleStart(c, outcome, this.deps, this.where(c), this.deps.clock.nowMs());
      if (ended) {
        const oom = this.limits.ended(c);
        const o = ended.outcome;
        this.finishRun(c, o.kind === 'setupFailed' ? o : { ...o, oom }, ended.finishedAtMs);
      }
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
        this.adoptRun(c);
      } else if (c.state.state === 'waiting' && c.restartAtMs > 0 && !this.record.deleting) {
        this.armRestart(c);
      }
    }
    if (this.record.deleting) this.deletion.resume();
    else this.advance();
  }

  /** Begins deletion (idempotent; a shorter grace period replaces a longer one). */
  delete(gracePeriodSeconds: number): void {
    this.deletion.begin(gracePeriodSeconds);
  }

  /** Before a deletion's SIGTERM: liveness and startup stop, each running container's preStop within the bound. */
  private preStop(boundMs: number): Promise<boolean> | undefined {
    if (!this.health) return undefined;
    this.health.podDeletionBegan();
    return this.health.preStopForDeletion(
      this.running().map((c) => c.name),
      boundMs,
    );
  }

  private running(): ContainerRecord[] {
    return this.record.containers.filter((c) => c.state.state === 'running');
  }

  private cancelRestarts(): void {
    this.queued.clear();
    // Intents saved for starts never sent: nothing began, and nothing may begin now.
    for (const c of this.presaved.keys()) {
      c.launching = false;
      this.limits.ended(c);
    }
    if (this.presaved.size > 0) this.deps.onChange(this);
    this.presaved.clear();
    if (this.firstBatch === undefined) this.firstBatchDone();
    this.deps.starts?.drop(this);
    for (const l of this.live.values()) {
      if (l.restartTimer !== undefined) this.deps.clock.clearTimeout(l.restartTimer);
      l.restartTimer = undefined;
    }
  }

  private finished(): void {
    for (const l of this.live.values()) l.logs?.stop();
    this.limits.podGone();
    const removal =
      this.record.podDirWritten && !this.deps.keepPodDirs
        ? this.deps
            .removePodDir(this.record.podDir)
            .catch((err: unknown) =>
              this.log.error(
                { err, pod: this.key, dir: this.record.podDir },
                'Failed to remove pod directory',
              ),
            )
        : Promise.resolve();
    // DELETED is published once the directory is gone.
    void removal.then(() => {
      this.log.info({ pod: this.key, uid: this.record.uid }, 'Pod deleted');
      this.deps.onFinished(this);
    });
  }

  /** Stops timers and watchers without touching processes (runner shutdown). */
  detach(): void {
    this.detached = true;
    this.deps.starts?.drop(this);
    this.firstBatchDone();
    this.health?.detach();
    this.cancelRestarts();
    for (const l of this.live.values()) l.logs?.stop();
    this.deletion.detach();
  }
}
