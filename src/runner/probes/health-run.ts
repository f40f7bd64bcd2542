import type { Clock } from '../clock.js';
import type { CommandContext } from './container-command.js';
import type { RunningCommand } from './running-command.js';
import type { ContainerStop } from './container-stop.js';
import type { HookRun } from './lifecycle-hook.js';
import { reportsToProto, type ReportCounts } from './probe-reports.js';
import type { ProbeSettings, ProbeType } from './probe-settings.js';
import type { TimerHandle } from './probe-timers.js';
import { initialWorkerState, type WorkerState } from './probe-worker.js';
import type { ProbeRunContext } from './run-probe.js';
import type { HealthDeps, HealthRecord, HealthStatus } from './health-types.js';

/** One probe of a run: its settings, what it says so far and its next tick. */
export interface Worker {
  readonly settings: ProbeSettings;
  readonly phaseMs: number;
  state: WorkerState;
  timer: TimerHandle | undefined;
  dueMs: number;
  inFlight: boolean;
  /** Stopped for a quiet shutdown (pod deletion): no more ticks. */
  stopped: boolean;
}

/** One run of a container as ContainerHealth tracks it: its probes, hooks, reports and stop. */
export interface Run {
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

/** A run that just started: no probes, hooks or reports yet. */
export function newRun(pgid: number, startedAtMs: number, context: CommandContext): Run {
  return {
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
}

/** A probe of a run, before its first tick is scheduled. */
export function newWorker(settings: ProbeSettings, phaseMs: number, state: WorkerState): Worker {
  return { settings, phaseMs, state, timer: undefined, dueMs: 0, inFlight: false, stopped: false };
}

/** The run ended (or the runner detaches): its timers, hooks and stop are cancelled and its commands killed. */
export function endRunState(run: Run): void {
  run.ended = true;
  for (const w of run.workers) w.timer?.cancel();
  run.postStart?.cancel('the container stopped');
  run.preStop?.cancel('the container stopped');
  run.stop?.cancel();
  for (const c of run.commands) c.kill();
  run.commands.clear();
}

/** What the container's status says about its health: the record's verdicts and the current run's reports, stop and hooks. Pure. */
export function healthStatus(run: Run | undefined, record: HealthRecord): HealthStatus {
  return {
    started: record.started === true,
    ready: record.ready === true,
    probeReports: run ? reportsToProto(run.reports) : [],
    stopReason: run?.stopReason ?? '',
    postStartFailed: run?.postStartFailed ?? false,
    preStopFailed: run?.preStopFailed ?? false,
    postStartPending: run !== undefined && !run.ended && run.postStart !== undefined,
  };
}

/** The probe of a type in a run, if it has one. */
export function workerOf(run: Run | undefined, type: ProbeType): Worker | undefined {
  return run?.workers.find((w) => w.settings.type === type);
}

/**
 * started and ready of the current run (none, or an ended one: neither).
 * Started once postStart succeeded and the startup probe (if any) did;
 * ready once started and the readiness probe (if any) succeeds, unless the
 * run is being stopped for a failed probe: it takes no more traffic while
 * it gets its grace period. Pure.
 */
export function runVerdict(run: Run | undefined): { started: boolean; ready: boolean } {
  const running = run !== undefined && !run.ended && run.postStart === undefined && !run.postStartFailed;
  const startup = workerOf(run, 'Startup');
  const readiness = workerOf(run, 'Readiness');
  const started = running && (!startup || startup.state.result === 'success');
  const ready = started && !run.stopReason && (!readiness || readiness.state.result === 'success');
  return { started, ready };
}

/** A re-adopted run keeps the verdicts it had (saved on the record), so a runner restart does not flap readiness. Pure. */
export function restoredWorkerState(settings: ProbeSettings, record: HealthRecord): WorkerState {
  const initial = initialWorkerState(settings.type);
  const passing =
    settings.type === 'Startup' ? record.started : settings.type === 'Readiness' ? record.ready : true;
  if (!passing) return initial;
  return { result: 'success', lastResult: 'success', resultRun: settings.successThreshold, onHold: false };
}

/**
 * What a run's probes and hooks run with, made once per run: the
 * container's context, the launcher or spawn, its cgroup when the run
 * joined one. Each command started is kept on the run (killed if the run
 * already ended) and registered so it counts in the container's stats,
 * until it ends.
 */
export function runProbeContext(
  run: Run,
  record: HealthRecord,
  podUid: string,
  deps: HealthDeps,
): ProbeRunContext {
  if (run.probeContext) return run.probeContext;
  const container = record.name;
  const registry = deps.commands;
  run.probeContext = {
    container: run.context,
    runnerEnv: deps.runnerEnv,
    spawn: deps.spawn,
    start: deps.startGroup,
    containerDir: record.dir,
    cgroupProcs: record.cgroupJoined ? deps.cgroupOf?.(podUid, container) : undefined,
    commandStarted: (command) => {
      run.commands.add(command);
      if (run.ended) command.kill();
      const id = `probe/${podUid}/${container}/${command.pgid}`;
      registry?.add({ id, podUid, container, pgid: command.pgid, kill: () => command.kill() });
      return () => {
        run.commands.delete(command);
        registry?.remove(id);
      };
    },
  };
  return run.probeContext;
}

/** A hook's end, or `boundMs` passing first (the hook is then cancelled): the stop goes on at the bound whatever the hook does, as the kubelet's does. */
export function hookWithinBound(hook: HookRun, boundMs: number, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => {
      hook.cancel(`did not complete within the ${boundMs / 1000} s grace period`);
      resolve();
    }, boundMs);
    void hook.done.then(() => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
