import type { ProbeSettings, ProbeType } from './probe-settings.js';

/** What one probe run found: pkg/probe's Result and output, or why it could not probe at all. */
export type ProbeOutcome =
  | { kind: 'success' | 'warning' | 'failure'; output: string }
  /** The probe could not run (an invalid probe, a command that cannot start): the kubelet's "errored". */
  | { kind: 'error'; message: string };

/** The kubelet's results.Result: what the probe currently says about the container. */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/**
 * One worker's memory for one run of a container (the kubelet's worker:
 * lastResult, resultRun, onHold, and the value in its results manager).
 * A new run starts from initialWorkerState.
 */
export interface WorkerState {
  readonly result: ProbeResult;
  readonly lastResult: 'success' | 'failure' | undefined;
  /** How many runs in a row returned lastResult. */
  readonly resultRun: number;
  /** After a liveness or startup failure: no more probing in this run (it is being stopped). */
  readonly onHold: boolean;
}

/** The value a worker starts each run with: not ready, alive, not yet started. Pure. */
export function initialWorkerState(type: ProbeType): WorkerState {
  const result: ProbeResult = type === 'Readiness' ? 'failure' : type === 'Liveness' ? 'success' : 'unknown';
  return { result, lastResult: undefined, resultRun: 0, onHold: false };
}

/** What a tick of the worker does. */
export type TickDecision =
  /** Run the probe now. */
  | 'probe'
  /** Nothing this tick (initial delay, gated by startup, on hold). */
  | 'wait'
  /** The pod is being deleted: liveness and startup report success and stop, for a quiet shutdown. */
  | 'stopQuietly';

export interface TickContext {
  nowMs: number;
  /** When the current run started. */
  runStartedAtMs: number;
  /** The container counts as started (startup probe succeeded, or there is none). */
  started: boolean;
  podDeleting: boolean;
}

/**
 * Whether a tick probes, as the kubelet's worker.doProbe decides before
 * probing: on hold until a new run; liveness and startup stop when the pod
 * is deleted; nothing before initialDelaySeconds (whole seconds since the
 * run started, truncated as Go's int32 conversion does); the startup probe
 * runs only until the container started and the others only after. Pure.
 */
export function decideTick(state: WorkerState, settings: ProbeSettings, ctx: TickContext): TickDecision {
  if (state.onHold) return 'wait';
  if (ctx.podDeleting && settings.type !== 'Readiness') return 'stopQuietly';
  const sinceStartSeconds = Math.trunc((ctx.nowMs - ctx.runStartedAtMs) / 1000);
  if (sinceStartSeconds < settings.initialDelaySeconds) return 'wait';
  if (ctx.started ? settings.type === 'Startup' : settings.type !== 'Startup') return 'wait';
  return 'probe';
}

/** What applying one outcome did. */
export interface Applied {
  next: WorkerState;
  /** The result changed (ready/started/alive as the kubelet's results manager would publish it). */
  changed: boolean;
  /** A liveness or startup failure met its threshold: the run must be stopped. */
  stop: boolean;
  /** prober_probe_total's result label for this run; undefined for an errored run, which the kubelet does not count. */
  counted: 'successful' | 'failed' | undefined;
}

/**
 * Folds one probe outcome into the worker, as the kubelet's worker does
 * after probing: an errored run is thrown away; a warning counts as a
 * success; the result changes only once failureThreshold failures or
 * successThreshold successes came in a row; a liveness or startup failure
 * puts the worker on hold and stops the run. Pure.
 */
export function applyOutcome(state: WorkerState, settings: ProbeSettings, outcome: ProbeOutcome): Applied {
  if (outcome.kind === 'error') return { next: state, changed: false, stop: false, counted: undefined };
  const result = outcome.kind === 'failure' ? 'failure' : 'success';
  const counted = result === 'success' ? 'successful' : 'failed';
  const resultRun = state.lastResult === result ? state.resultRun + 1 : 1;
  const threshold = result === 'failure' ? settings.failureThreshold : settings.successThreshold;
  if (resultRun < threshold) {
    return { next: { ...state, lastResult: result, resultRun }, changed: false, stop: false, counted };
  }
  const stop = result === 'failure' && settings.type !== 'Readiness';
  const next: WorkerState = {
    result,
    lastResult: result,
    resultRun: stop ? 0 : resultRun,
    onHold: stop,
  };
  return { next, changed: result !== state.result, stop, counted };
}

/** The worker's verdict on the container: started (startup), ready (readiness), alive (liveness). Pure. */
export function isPassing(state: WorkerState): boolean {
  return state.result === 'success';
}
