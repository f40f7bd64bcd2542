import type { Handler__Output } from '../../generated/vkcmd/runner/v1/Handler.js';
import { ContainerStop, graceAfterHookMs } from './container-stop.js';
import type { HealthDeps, HealthHost, HealthRecord, HealthSpec } from './health-types.js';
import { hookWithinBound, runProbeContext, type Run } from './health-run.js';
import { runHook, type HookRun } from './lifecycle-hook.js';

/** The pod and container a health log line is about. */
export function healthWhere(host: HealthHost, record: HealthRecord): Record<string, string> {
  return { pod: `${host.owner.namespace}/${host.owner.podName}`, container: record.name };
}

/**
 * The lifecycle hooks of one container's runs, for ContainerHealth: starts a
 * hook command with the run's context, runs preStop at most once per run (a
 * probe's stop and a deletion share it) within a bound, and stops a run
 * (preStop within the grace period, then SIGTERM and SIGKILL with what is
 * left of it). A preStop failure is kept on the run and told to the host.
 * Single event loop.
 */
export class ContainerHooks {
  constructor(
    private readonly record: HealthRecord,
    private readonly spec: HealthSpec,
    private readonly host: HealthHost,
    private readonly deps: HealthDeps,
  ) {}

  /** Starts one hook command of `run`, cancelled when it outlasts `boundMs`. */
  start(run: Run, handler: Handler__Output, boundMs: number): HookRun {
    const owner = { ...this.host.owner, container: this.record.name };
    const context = runProbeContext(run, this.record, this.host.owner.uid, this.deps);
    return (this.deps.runHook ?? runHook)(handler, owner, context, boundMs);
  }

  /** preStop within the grace period, then SIGTERM and SIGKILL with what is left of it (at least 2 s). */
  stopRun(run: Run, graceMs: number): void {
    const startedMs = this.deps.clock.nowMs();
    void this.preStop(run, graceMs).then(() => {
      if (run.ended || run.stop) return;
      run.stop = new ContainerStop(run.pgid, this.deps);
      run.stop.terminate(graceAfterHookMs(graceMs, this.deps.clock.nowMs() - startedMs));
    });
  }

  /** Runs the preStop hook once per run (a stop and a deletion share it), within `boundMs`. */
  preStop(run: Run, boundMs: number): Promise<void> {
    if (run.preStopDone) return run.preStopDone;
    const handler = this.spec.lifecycle?.preStop;
    if (!handler || boundMs <= 0) return Promise.resolve();
    const hook = this.start(run, handler, boundMs);
    run.preStop = hook;
    void hook.done.then((result) => {
      run.preStop = undefined;
      if (result.ok) return;
      run.preStopFailed = true;
      this.deps.log.warn(
        { ...healthWhere(this.host, this.record), err: result.message },
        'PreStopHook failed',
      );
      if (!run.ended) this.host.changed();
    });
    run.preStopDone = hookWithinBound(hook, boundMs, this.deps.clock);
    return run.preStopDone;
  }
}
