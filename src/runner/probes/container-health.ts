import type { Handler__Output } from '../../generated/vkcmd/runner/v1/Handler.js';
import type { CommandContext } from './container-command.js';
import { ContainerHooks, healthWhere } from './container-hooks.js';
import type { HealthDeps, HealthHost, HealthRecord, HealthSpec, HealthStatus } from './health-types.js';
import {
  endRunState,
  healthStatus,
  newRun,
  newWorker,
  restoredWorkerState,
  runProbeContext,
  runVerdict,
  workerOf,
  type Run,
  type Worker,
} from './health-run.js';
import { containerProbes, type ProbeSettings, type ProbeType } from './probe-settings.js';
import { addToReport } from './probe-reports.js';
import {
  firstReadinessRunAtMs,
  nextTickAfterRun,
  probePhaseMs,
  skippedTicks,
  tickAtOrAfter,
} from './probe-schedule.js';
import { applyOutcome, decideTick, initialWorkerState, type ProbeOutcome } from './probe-worker.js';
import { runProbe, type ProbeRunContext } from './run-probe.js';

// The contract types stay importable from here (pods/pod-record.ts persists HealthSpec).
export type { HealthDeps, HealthHost, HealthRecord, HealthSpec, HealthStatus } from './health-types.js';

/**
 * One app container's probes and lifecycle hooks, run after run. A run
 * starts with postStart (the container counts as not yet running until it
 * ends; a failure stops the run), then its probe workers tick on the shared
 * timers: startup until it succeeds, then readiness and liveness. started
 * and ready are kept on the record (persisted) and pushed when they change;
 * a liveness or startup failure stops the run (preStop, SIGTERM, SIGKILL
 * after the grace period: ContainerHooks) and asks for a restart. Failed, errored and
 * warning runs are reported per probe for the kubelet's events. Single
 * event loop.
 */
export class ContainerHealth {
  private run: Run | undefined;
  private readonly probes: ProbeSettings[];
  private readonly phases = new Map<ProbeType, number>();
  private readonly hooks: ContainerHooks;

  constructor(
    readonly record: HealthRecord,
    private readonly spec: HealthSpec,
    private readonly host: HealthHost,
    private readonly deps: HealthDeps,
  ) {
    this.probes = containerProbes(spec);
    this.hooks = new ContainerHooks(record, spec, host, deps);
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
    const run = newRun(pgid, startedAtMs, context);
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
    return this.hooks.preStop(run, boundMs).then(() => true);
  }

  status(): HealthStatus {
    return healthStatus(this.run, this.record);
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
    endRunState(run);
    this.record.started = false;
    this.record.ready = false;
  }

  private context(run: Run): ProbeRunContext {
    return runProbeContext(run, this.record, this.host.owner.uid, this.deps);
  }

  private startPostStart(run: Run, handler: Handler__Output): void {
    const hook = this.hooks.start(run, handler, this.host.podGraceSeconds() * 1000);
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
      this.hooks.stopRun(run, this.host.podGraceSeconds() * 1000);
    });
  }

  private startWorkers(run: Run, adopted: boolean): void {
    const now = this.now();
    for (const settings of this.probes) {
      // A re-adopted run keeps the verdicts it had, so a runner restart does not flap readiness.
      const state = adopted ? restoredWorkerState(settings, this.record) : initialWorkerState(settings.type);
      const phaseMs = this.phases.get(settings.type) ?? now;
      const w = newWorker(settings, phaseMs, state);
      run.workers.push(w);
      this.schedule(run, w, tickAtOrAfter(phaseMs, settings.periodMs, now));
    }
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
    const { started, ready } = runVerdict(run);
    const readiness = workerOf(run, 'Readiness');
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
    this.hooks.stopRun(run, graceSeconds * 1000);
  }

  private where(): Record<string, string> {
    return healthWhere(this.host, this.record);
  }
}
