import type { Logger } from '../../common/logger.js';
import type { Handler__Output } from '../../generated/vkcmd/runner/v1/Handler.js';
import type { Lifecycle__Output } from '../../generated/vkcmd/runner/v1/Lifecycle.js';
import type { Probe__Output } from '../../generated/vkcmd/runner/v1/Probe.js';
import type { ProbeReport } from '../../generated/vkcmd/runner/v1/ProbeReport.js';
import type { Clock } from '../clock.js';
import type { SpawnProcess } from '../interactive/exec-spawn.js';
import type { ExecGroup } from '../interactive/exec-registry.js';
import type { CommandContext, RunningCommand } from './container-command.js';
import { ContainerStop, graceAfterHookMs } from './container-stop.js';
import { runHook, type HookOwner, type HookRun } from './lifecycle-hook.js';
import { containerProbes, type ProbeSettings, type ProbeType } from './probe-settings.js';
import { addToReport, reportsToProto, type ReportCounts } from './probe-reports.js';
import {
  firstReadinessRunAtMs,
  nextTickAfterRun,
  probePhaseMs,
  skippedTicks,
  tickAtOrAfter,
} from './probe-schedule.js';
import type { TimerHandle } from './probe-timers.js';
import {
  applyOutcome,
  decideTick,
  initialWorkerState,
  type ProbeOutcome,
  type WorkerState,
} from './probe-worker.js';
import type { StartGroup } from './launched-command.js';
import { runProbe, type ProbeRunContext } from './run-probe.js';

/** A container's probes and hooks as CreatePod gave them; persisted with the pod. */
export interface HealthSpec {
  startupProbe?: Probe__Output | null;
  readinessProbe?: Probe__Output | null;
  livenessProbe?: Probe__Output | null;
  lifecycle?: Lifecycle__Output | null;
}

/** Runner-wide parts every container's health uses. */
export interface HealthDeps {
  clock: Clock;
  timers: { at(dueMs: number, fn: () => void): TimerHandle };
  runnerEnv: Readonly<Record<string, string | undefined>>;
  signalGroup: (pgid: number, signal: NodeJS.Signals) => boolean;
  checkSoon: () => void;
  random: () => number;
  log: Logger;
  runProbe?: typeof runProbe;
  runHook?: typeof runHook;
  /** How probe and hook commands are started without the launcher (default: Node's spawn). */
  spawn?: SpawnProcess | undefined;
  /** Starts probe and hook commands through the launcher (falls back to `spawn` while it is unavailable). */
  startGroup?: StartGroup | undefined;
  /** The cgroup.procs files of a container's cgroup(s), for a run that joined them. */
  cgroupOf?: ((podUid: string, container: string) => string[]) | undefined;
  /** Where running probe and hook commands are registered, so they count in the container's stats. */
  commands?: { add(group: ExecGroup): void; remove(id: string): void } | undefined;
}

/** What a container's health needs from its pod. */
export interface HealthHost {
  readonly owner: Omit<HookOwner, 'container'>;
  readonly createdAtMs: number;
  podGraceSeconds(): number;
  podDeleting(): boolean;
  /** started or ready changed, a hook failed or a stop began: persist and publish. */
  changed(): void;
  /** Only probe reports changed: publish, throttled. */
  reported(): void;
  /** One probe run for prober_probe_total. */
  counted(container: string, type: ProbeType, result: 'successful' | 'failed'): void;
  /** Ticks of a probe that passed without a run (the previous run or the event loop was late). */
  skipped(container: string, type: ProbeType, ticks: number): void;
}

/** The container fields health owns (persisted: started and ready survive a runner restart). */
export interface HealthRecord {
  readonly name: string;
  /** The container directory (exec commands through the launcher put their output files there). */
  readonly dir?: string | undefined;
  /** The current run joined the container's cgroup: its probe and hook commands join it too. */
  readonly cgroupJoined?: boolean | undefined;
  started?: boolean | undefined;
  ready?: boolean | undefined;
}

interface Worker {
  readonly settings: ProbeSettings;
  readonly phaseMs: number;
  state: WorkerState;
  timer: TimerHandle | undefined;
  dueMs: number;
  inFlight: boolean;
  /** Stopped for a quiet shutdown (pod deletion): no more ticks. */
  stopped: boolean;
}

interface Run {
  readonly pgid: number;
  readonly startedAtMs: number;
  readonly context: CommandContext;
  /** What this run's probes and hooks run with (one object per run). */
  probeContext: ProbeRunContext | undefined;
  workers: Worker[];
  reports: Map<ProbeType, ReportCounts>;
  postStart: HookRun | undefined;
  preStop: HookRun | undefined;
  preStopDone: Promise<void> | undefined;
  postStartFailed: boolean;
  postStartMessage: string;
  preStopFailed: boolean;
  stopReason: string;
  stop: ContainerStop | undefined;
  forceRestart: boolean;
  readonly commands: Set<RunningCommand>;
  ended: boolean;
}

/** What ContainerHealth adds to the container's status in the contract. */
export interface HealthStatus {
  started: boolean;
  ready: boolean;
  probeReports: ProbeReport[];
  stopReason: string;
  postStartFailed: boolean;
  preStopFailed: boolean;
  /** postStart is still running: the container is reported waiting (ContainerCreating). */
  postStartPending: boolean;
}

/**
 * One app container's probes and lifecycle hooks, run after run. A run
 * starts with postStart (the container counts as not yet running until it
 * ends; a failure stops the run), then its probe workers tick on the shared
 * timers: startup until it succeeds, then readiness and liveness. started
 * and ready are kept on the record (persisted) and pushed when they change;
 * a liveness or startup failure stops the run (preStop, SIGTERM, SIGKILL
 * after the grace period) and asks for a restart. Failed, errored and
 * warning runs are reported per probe for the kubelet's events. Single
 * event loop.
 */
export class ContainerHealth {
  private run: Run | undefined;
  private readonly probes: ProbeSettings[];
  private readonly phases = new Map<ProbeType, number>();

  constructor(
    readonly record: HealthRecord,
    private readonly spec: HealthSpec,
    private readonly host: HealthHost,
    private readonly deps: HealthDeps,
  ) {
    this.probes = containerProbes(spec);
    for (const p of this.probes) {
      this.phases.set(p.type, probePhaseMs(host.createdAtMs, p.periodMs, deps.random()));
    }
  }

  /** Whether there is anything to run at all (probes or hooks). */
  get active(): boolean {
    return this.probes.length > 0 || !!this.spec.lifecycle?.postStart || !!this.spec.lifecycle?.preStop;
  }

  /**
   * A run started (or, `adopted`, was found running after a runner restart:
   * postStart is not run again and started/ready keep their saved values).
   */
  runStarted(pgid: number, startedAtMs: number, context: CommandContext, adopted: boolean): void {
    this.endRun();
    const run: Run = {
      pgid,
      startedAtMs,
      context,
      probeContext: undefined,
      workers: [],
      reports: new Map(),
      postStart: undefined,
      preStop: undefined,
      preStopDone: undefined,
      postStartFailed: false,
      postStartMessage: '',
      preStopFailed: false,
      stopReason: '',
      stop: undefined,
      forceRestart: false,
      commands: new Set(),
      ended: false,
    };
    this.run = run;
    if (!adopted) {
      this.record.started = false;
      this.record.ready = false;
    }
    const postStart = this.spec.lifecycle?.postStart;
    if (postStart && !adopted) {
      this.startPostStart(run, postStart);
      return;
    }
    this.startWorkers(run, adopted);
    this.updateVerdict();
  }

  /**
   * The run ended. Returns whether it must restart whatever its exit code
   * (stopped for a failed liveness or startup probe: restarted unless the
   * policy is Never) and the postStart failure to add to its message.
   */
  runEnded(): { forceRestart: boolean; message: string } {
    const run = this.run;
    if (!run || run.ended) return { forceRestart: false, message: '' };
    this.endRun();
    return { forceRestart: run.forceRestart, message: run.postStartFailed ? run.postStartMessage : '' };
  }

  /** The pod is being deleted: liveness and startup stop quietly at their next tick, as the kubelet's do. */
  podDeletionBegan(): void {
    const run = this.run;
    if (!run || run.ended) return;
    for (const w of run.workers)
      if (w.settings.type !== 'Readiness' && !w.inFlight) this.schedule(run, w, this.now());
  }

  /**
   * Runs preStop before a deletion's SIGTERM, within `boundMs` (or joins the
   * one a probe's stop began); resolves at once without one. Resolves true
   * when a hook ran: SIGTERM then gets at least the 2 s minimum.
   */
  preStopForDeletion(boundMs: number): Promise<boolean> {
    const run = this.run;
    if (!run || run.ended || !this.spec.lifecycle?.preStop) return Promise.resolve(false);
    if (boundMs <= 0 && !run.preStopDone) return Promise.resolve(false);
    return this.preStop(run, boundMs).then(() => true);
  }

  status(): HealthStatus {
    const run = this.run;
    return {
      started: this.record.started === true,
      ready: this.record.ready === true,
      probeReports: run ? reportsToProto(run.reports) : [],
      stopReason: run?.stopReason ?? '',
      postStartFailed: run?.postStartFailed ?? false,
      preStopFailed: run?.preStopFailed ?? false,
      postStartPending: run !== undefined && !run.ended && run.postStart !== undefined,
    };
  }

  /** Process groups of the probe and hook commands of the current run (they count in its stats). */
  commandGroups(): number[] {
    return this.run ? [...this.run.commands].map((c) => c.pgid) : [];
  }

  /** Stops timers and kills running commands (runner shutdown); the container's own processes are left alone. */
  detach(): void {
    this.endRun();
  }

  private now(): number {
    return this.deps.clock.nowMs();
  }

  private endRun(): void {
    const run = this.run;
    if (!run || run.ended) return;
    run.ended = true;
    for (const w of run.workers) w.timer?.cancel();
    run.postStart?.cancel('the container stopped');
    run.preStop?.cancel('the container stopped');
    run.stop?.cancel();
    for (const c of run.commands) c.kill();
    run.commands.clear();
    this.record.started = false;
    this.record.ready = false;
  }

  private context(run: Run): ProbeRunContext {
    if (run.probeContext) return run.probeContext;
    const { uid } = this.host.owner;
    const container = this.record.name;
    const registry = this.deps.commands;
    run.probeContext = {
      container: run.context,
      runnerEnv: this.deps.runnerEnv,
      spawn: this.deps.spawn,
      start: this.deps.startGroup,
      containerDir: this.record.dir,
      cgroupProcs: this.record.cgroupJoined ? this.deps.cgroupOf?.(uid, container) : undefined,
      commandStarted: (command) => {
        run.commands.add(command);
        if (run.ended) command.kill();
        const id = `probe/${uid}/${container}/${command.pgid}`;
        registry?.add({ id, podUid: uid, container, pgid: command.pgid, kill: () => command.kill() });
        return () => {
          run.commands.delete(command);
          registry?.remove(id);
        };
      },
    };
    return run.probeContext;
  }

  private startPostStart(run: Run, handler: Handler__Output): void {
    const owner = { ...this.host.owner, container: this.record.name };
    const hook = (this.deps.runHook ?? runHook)(
      handler,
      owner,
      this.context(run),
      this.host.podGraceSeconds() * 1000,
    );
    run.postStart = hook;
    void hook.done.then((result) => {
      if (run.ended) return;
      run.postStart = undefined;
      if (result.ok) {
        this.startWorkers(run, false);
        this.updateVerdict();
        this.host.changed();
        return;
      }
      run.postStartFailed = true;
      run.postStartMessage = result.message;
      run.stopReason = 'FailedPostStartHook';
      this.deps.log.warn(
        { ...this.where(), err: result.message },
        'PostStartHook failed; stopping the container',
      );
      this.host.changed();
      this.stopRun(run, this.host.podGraceSeconds() * 1000);
    });
  }

  private startWorkers(run: Run, adopted: boolean): void {
    const now = this.now();
    for (const settings of this.probes) {
      const state = adopted ? this.restoredState(settings) : initialWorkerState(settings.type);
      const phaseMs = this.phases.get(settings.type) ?? now;
      const w: Worker = {
        settings,
        phaseMs,
        state,
        timer: undefined,
        dueMs: 0,
        inFlight: false,
        stopped: false,
      };
      run.workers.push(w);
      this.schedule(run, w, tickAtOrAfter(phaseMs, settings.periodMs, now));
    }
  }

  /** A re-adopted run keeps the verdicts it had, so a runner restart does not flap readiness. */
  private restoredState(settings: ProbeSettings): WorkerState {
    const initial = initialWorkerState(settings.type);
    const passing =
      settings.type === 'Startup'
        ? this.record.started
        : settings.type === 'Readiness'
          ? this.record.ready
          : true;
    if (!passing) return initial;
    return { result: 'success', lastResult: 'success', resultRun: settings.successThreshold, onHold: false };
  }

  private schedule(run: Run, w: Worker, dueMs: number): void {
    w.timer?.cancel();
    w.dueMs = dueMs;
    w.timer = this.deps.timers.at(dueMs, () => this.tick(run, w, dueMs));
  }

  private tick(run: Run, w: Worker, tickMs: number): void {
    w.timer = undefined;
    if (run.ended || w.stopped || w.inFlight) return;
    const now = this.now();
    const decision = decideTick(w.state, w.settings, {
      nowMs: now,
      runStartedAtMs: run.startedAtMs,
      started: this.record.started === true,
      podDeleting: this.host.podDeleting(),
    });
    if (decision === 'stopQuietly') {
      w.stopped = true;
      w.state = { ...w.state, result: 'success' };
      this.updateVerdict();
      return;
    }
    if (decision === 'wait') {
      this.schedule(run, w, tickAtOrAfter(w.phaseMs, w.settings.periodMs, Math.max(now, tickMs + 1)));
      return;
    }
    w.inFlight = true;
    const probe = this.deps.runProbe ?? runProbe;
    void probe(w.settings.handler, w.settings.timeoutMs, this.context(run)).then(
      (outcome) => this.probed(run, w, tickMs, outcome),
      (err: unknown) => this.probed(run, w, tickMs, { kind: 'error', message: String(err) }),
    );
  }

  private probed(run: Run, w: Worker, tickMs: number, outcome: ProbeOutcome): void {
    w.inFlight = false;
    if (run.ended || w.stopped) return;
    const type = w.settings.type;
    const report = addToReport(run.reports.get(type), outcome);
    const reportChanged = report !== undefined && report !== run.reports.get(type);
    if (report) run.reports.set(type, report);
    const applied = applyOutcome(w.state, w.settings, outcome);
    w.state = applied.next;
    if (applied.counted) this.host.counted(this.record.name, type, applied.counted);
    if (outcome.kind !== 'success') {
      const text = outcome.kind === 'error' ? outcome.message : outcome.output;
      this.deps.log.debug(
        { ...this.where(), probe: type, result: outcome.kind, output: text },
        'Probe did not succeed',
      );
    }
    const verdictChanged = applied.changed && this.updateVerdict();
    if (applied.stop) this.stopForProbe(run, w.settings);
    else if (reportChanged && !verdictChanged) this.host.reported();
    if (run.ended) return;
    // A run that started late or outlasted its period drops the ticks in between, as the
    // kubelet's ticker does; they are counted, so falling behind is never silent.
    const next = nextTickAfterRun(w.phaseMs, w.settings.periodMs, tickMs, this.now());
    const skipped = skippedTicks(tickMs, next, w.settings.periodMs);
    if (skipped > 0) this.host.skipped(this.record.name, type, skipped);
    this.schedule(run, w, next);
  }

  /** Recomputes started and ready; true (and the host told) when either changed. */
  private updateVerdict(): boolean {
    const run = this.run;
    const running = run !== undefined && !run.ended && run.postStart === undefined && !run.postStartFailed;
    const find = (t: ProbeType): Worker | undefined => run?.workers.find((w) => w.settings.type === t);
    const startup = find('Startup');
    const readiness = find('Readiness');
    const started = running && (!startup || startup.state.result === 'success');
    // A run being stopped for a failed probe takes no more traffic while it gets its grace period.
    const ready = started && !run.stopReason && (!readiness || readiness.state.result === 'success');
    const wasStarted = this.record.started === true;
    if (started === wasStarted && ready === (this.record.ready === true)) return false;
    this.record.started = started;
    this.record.ready = ready;
    if (started && !wasStarted && run && readiness && readiness.state.lastResult === undefined) {
      // As the kubelet's manual trigger: a started container with no readiness result is probed at once.
      const at = firstReadinessRunAtMs(run.startedAtMs, this.now(), readiness.settings.initialDelaySeconds);
      if (!readiness.inFlight && at < readiness.dueMs) this.schedule(run, readiness, at);
    }
    this.host.changed();
    return true;
  }

  private stopForProbe(run: Run, settings: ProbeSettings): void {
    if (run.stopReason) return;
    run.stopReason = settings.type === 'Liveness' ? 'LivenessProbe' : 'StartupProbe';
    run.forceRestart = true;
    const graceSeconds = settings.terminationGracePeriodSeconds ?? this.host.podGraceSeconds();
    this.deps.log.info(
      { ...this.where(), probe: settings.type, gracePeriodSeconds: graceSeconds },
      `Container failed ${settings.type.toLowerCase()} probe; stopping it`,
    );
    this.updateVerdict();
    this.host.changed();
    this.stopRun(run, graceSeconds * 1000);
  }

  /** preStop within the grace period, then SIGTERM and SIGKILL with what is left of it (at least 2 s). */
  private stopRun(run: Run, graceMs: number): void {
    const startedMs = this.now();
    void this.preStop(run, graceMs).then(() => {
      if (run.ended || run.stop) return;
      run.stop = new ContainerStop(run.pgid, this.deps);
      run.stop.terminate(graceAfterHookMs(graceMs, this.now() - startedMs));
    });
  }

  /** Runs the preStop hook once per run (a stop and a deletion share it), within `boundMs`. */
  private preStop(run: Run, boundMs: number): Promise<void> {
    if (run.preStopDone) return run.preStopDone;
    const handler = this.spec.lifecycle?.preStop;
    if (!handler || boundMs <= 0) return Promise.resolve();
    const owner = { ...this.host.owner, container: this.record.name };
    const hook = (this.deps.runHook ?? runHook)(handler, owner, this.context(run), boundMs);
    run.preStop = hook;
    void hook.done.then((result) => {
      run.preStop = undefined;
      if (result.ok) return;
      run.preStopFailed = true;
      this.deps.log.warn({ ...this.where(), err: result.message }, 'PreStopHook failed');
      if (!run.ended) this.host.changed();
    });
    // The stop goes on at the bound whatever the hook does, as the kubelet's does.
    run.preStopDone = new Promise<void>((resolve) => {
      const timer = this.deps.clock.setTimeout(() => {
        hook.cancel(`did not complete within the ${boundMs / 1000} s grace period`);
        resolve();
      }, boundMs);
      void hook.done.then(() => {
        this.deps.clock.clearTimeout(timer);
        resolve();
      });
    });
    return run.preStopDone;
  }

  private where(): Record<string, string> {
    return { pod: `${this.host.owner.namespace}/${this.host.owner.podName}`, container: this.record.name };
  }
}
