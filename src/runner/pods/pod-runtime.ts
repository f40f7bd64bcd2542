import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { ProbeCounter } from '../../generated/vkcmd/runner/v1/ProbeCounter.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import { podHealthOf, type PodHealth } from '../probes/pod-health.js';
import { PodDeletion } from './pod-deletion.js';
import { podToProto, type ContainerRecord, type PodRecord } from './pod-record.js';
import type { PodRuntimeDepsOf } from './pod-runtime-deps.js';
import { PodRuns } from './pod-runs.js';
import { RunLimits } from './run-limits.js';
import { StartBatcher } from './start-batcher.js';
import type { StartHost } from './start-queue.js';
import type { StartOutcome } from './start-resolution.js';

/** What a PodRuntime is given (pod-runtime-deps.ts). */
export type PodRuntimeDeps = PodRuntimeDepsOf<PodRuntime>;

/**
 * The state machine of one pod. Containers go waiting -> running ->
 * terminated, and under Always/OnFailure back to waiting (CrashLoopBackOff)
 * -> running. Init containers run one at a time before the app containers.
 * Starts go through the start queue (StartBatcher), each run's result,
 * end and restart through PodRuns. Deletion (PodDeletion): SIGTERM, grace
 * period, SIGKILL of the groups and of every process that left them, then
 * the directory is removed and onFinished fires. Single event loop; every
 * transition is logged and reported through onChange.
 */
export class PodRuntime implements StartHost {
  private detached = false;
  private readonly starts: StartBatcher;
  private readonly runs: PodRuns;
  private readonly deletion: PodDeletion;
  private readonly limits: RunLimits;
  private advanceQueued = false;
  private readonly health: PodHealth | undefined;
  revision = 0;

  constructor(
    readonly record: PodRecord,
    private readonly deps: PodRuntimeDeps,
  ) {
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
    this.runs = new PodRuns(
      {
        record,
        key: this.key,
        limits: this.limits,
        health: this.health,
        detached: () => this.detached,
        changed: () => this.deps.onChange(this),
        start: (c) => this.start(c),
        advanceSoon: () => this.scheduleAdvance(),
        deletionRunStarted: (c) => this.deletion.runStarted(c),
        deletionContainerEnded: () => this.deletion.containerEnded(),
      },
      deps,
    );
    this.starts = new StartBatcher(
      {
        host: this,
        key: this.key,
        limits: this.limits,
        halted: () => this.detached || this.record.deleting,
        finishRun: (c, outcome, finishedAtMs) => this.runs.finish(c, outcome, finishedAtMs),
        launched: (c, result, logs, nowMs) => this.runs.launched(c, result, logs, nowMs),
        logsOf: (name) => this.runs.logsOf(name),
        persistNow: () => this.deps.persistNow(this),
        changed: () => this.deps.onChange(this),
      },
      deps,
    );
  }

  get key(): string {
    return `${this.record.namespace}/${this.record.name}`;
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
    return this.runs.logsOf(name);
  }

  /** Adds a container to the running pod (an ephemeral one) and starts it. */
  addContainer(c: ContainerRecord): void {
    this.record.containers.push(c);
    this.runs.add(c);
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
      c.state.state === 'waiting' && c.restartAtMs === 0 && c.launching !== true && !this.starts.isQueued(c);
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
    return this.starts.firstStarts();
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
    this.starts.request(c);
  }

  /** StartHost: the start queue took these containers (StartBatcher.startBatch). */
  startBatch(cs: readonly ContainerRecord[], onSettled: (c: ContainerRecord) => void): void {
    this.starts.startBatch(cs, onSettled);
  }

  /**
   * Takes over after a runner restart: starts the previous runner left
   * unsettled take their outcome from `settled` (see start-resolution.ts),
   * live groups are watched again (never restarted), ended ones report the
   * exit code their wrapper recorded, back-off timers resume and an
   * interrupted deletion continues.
   */
  resume(settled: ReadonlyMap<ContainerRecord, StartOutcome> = new Map()): void {
    for (const c of this.record.containers) this.runs.resume(c, settled.get(c));
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
    // Intents saved for starts never sent: nothing began, and nothing may begin now.
    this.starts.cancel();
    this.runs.cancelRestarts();
  }

  private finished(): void {
    this.runs.stopLogs();
    this.limits.podGone(this.record.containers);
    const removal =
      this.record.podDirWritten && !this.deps.keepPodDirs
        ? this.deps
            .removePodDir(this.record.podDir)
            .catch((err: unknown) =>
              this.deps.log.error(
                { err, pod: this.key, dir: this.record.podDir },
                'Failed to remove pod directory',
              ),
            )
        : Promise.resolve();
    // DELETED is published once the directory is gone.
    void removal.then(() => {
      this.deps.log.info({ pod: this.key, uid: this.record.uid }, 'Pod deleted');
      this.deps.onFinished(this);
    });
  }

  /** Stops timers and watchers without touching processes (runner shutdown). */
  detach(): void {
    this.detached = true;
    this.starts.detach();
    this.health?.detach();
    this.cancelRestarts();
    this.runs.stopLogs();
    this.deletion.detach();
  }
}
