import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import type { CgroupRun } from '../process/container-limiter.js';
import type { LaunchPlan, LaunchResult } from '../process/launch-plan.js';
import { recordIntents, type RunIO } from './container-run.js';
import type { RunOutcome } from './container-status.js';
import type { ContainerRecord } from './pod-record.js';
import type { RunLimits } from './run-limits.js';
import type { StartHost } from './start-queue.js';

/** Most intents saved together: the batch's own starts and, ahead of their turn, more of the pod's queued ones. */
export const INTENT_BATCH = 64;

/** Where a pod's due starts go (start-queue.ts): it calls the pod's startBatch later. */
export interface StartScheduler {
  /** Queues a start (idempotent per container). */
  enqueue(host: StartHost, c: ContainerRecord): void;
  /** Forgets the pod's queued starts (deletion); those in flight settle on their own. */
  drop(host: StartHost): void;
}

/** What the batcher uses of the runner (a part of PodRuntimeDeps). */
export interface StartBatcherDeps extends RunIO {
  clock: Clock;
  log: Logger;
  /** The runner-wide start queue; without it a due start is begun at once, alone. */
  starts?: StartScheduler | undefined;
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
}

/** What the batcher needs of its pod's runtime. */
export interface StartBatcherPod {
  /** The pod in the start queue (startBatch comes back through it). */
  readonly host: StartHost;
  readonly key: string;
  readonly limits: RunLimits;
  /** True once nothing may start: deletion began or the runtime detached. */
  halted(): boolean;
  /** Ends a run that could not start. */
  finishRun(c: ContainerRecord, outcome: RunOutcome, finishedAtMs: number): void;
  /** A launch's result (running, failed, or lost), applied to the record. */
  launched(c: ContainerRecord, result: LaunchResult, logs: ContainerLogs | undefined, nowMs: number): void;
  logsOf(name: string): ContainerLogs | undefined;
  /** Saves the record now (throws on failure). */
  persistNow(): void;
  /** The record changed: persist and publish it. */
  changed(): void;
}

/**
 * One pod's side of its starts: which containers are queued (in the
 * runner-wide start queue), the batch the queue gives it (checks and limits
 * per container, one save for all their intents and, ahead of their turn,
 * for more of the pod's queued ones, then each launch), and when the pod's
 * first batch is over. Single event loop.
 */
export class StartBatcher {
  /** Containers handed to the start queue and not yet taken by a batch. */
  private readonly queued = new Set<ContainerRecord>();
  /**
   * Queued containers whose intent an earlier batch saved (launching, no
   * request sent yet), with their cgroup: sent when the queue takes them.
   */
  private readonly presaved = new Map<ContainerRecord, { cgroup: CgroupRun | undefined }>();
  /** The containers of the first batch the queue took whose start is not over yet. */
  private firstBatch: Set<ContainerRecord> | undefined;
  private firstBatchDone: () => void = () => undefined;
  private readonly firstBatchSettled = new Promise<void>((resolve) => (this.firstBatchDone = resolve));

  constructor(
    private readonly pod: StartBatcherPod,
    private readonly deps: StartBatcherDeps,
  ) {}

  /** True while the container waits in the start queue. */
  isQueued(c: ContainerRecord): boolean {
    return this.queued.has(c);
  }

  /** Queues a due start (idempotent); without a start queue it is begun at once. */
  request(c: ContainerRecord): void {
    const starts = this.deps.starts;
    if (!starts) {
      this.startBatch([c], () => undefined);
      return;
    }
    if (this.queued.has(c)) return;
    this.queued.add(c);
    starts.enqueue(this.pod.host, c);
  }

  /**
   * Resolves once the first batch of this pod's starts is over (its
   * containers running or failed), at once when none is queued (nothing
   * due, or deletion began).
   */
  firstStarts(): Promise<void> {
    if (this.firstBatch === undefined && this.queued.size === 0) this.firstBatchDone();
    return this.firstBatchSettled;
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
      if (saved && c.launching === true && !this.pod.halted()) {
        ready.push({ c, cgroup: saved.cgroup });
        continue;
      }
      const prepared = this.prepare(c, now);
      if (prepared) go.push({ c, cgroup: prepared.cgroup });
      else settled(c);
    }
    // Intents of more queued containers go into the same save, so a big pod costs few whole-record saves.
    const extra: typeof go = [];
    // Once every queued one is presaved (a huge pod's tail), there is nothing to look for.
    for (const c of this.presaved.size < this.queued.size ? this.queued : []) {
      if (go.length + extra.length >= INTENT_BATCH || this.pod.halted()) break;
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
        () => this.pod.persistNow(),
        (c) => ({ pod: this.pod.key, container: c.name }),
        now,
      );
      if (!('tokens' in intents)) {
        for (const { c } of save) {
          this.pod.limits.ended(c);
          this.pod.finishRun(c, intents.outcome, intents.finishedAtMs);
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
   * Forgets every queued start (deletion or shutdown): intents saved for
   * starts never sent are cleared, since nothing began and nothing may
   * begin now. Starts in flight settle on their own.
   */
  cancel(): void {
    this.queued.clear();
    for (const c of this.presaved.keys()) {
      c.launching = false;
      this.pod.limits.ended(c);
    }
    if (this.presaved.size > 0) this.pod.changed();
    this.presaved.clear();
    if (this.firstBatch === undefined) this.firstBatchDone();
    this.deps.starts?.drop(this.pod.host);
  }

  /** Runner shutdown: the queue forgets the pod, and whoever waits for its first starts stops waiting. */
  detach(): void {
    this.deps.starts?.drop(this.pod.host);
    this.firstBatchDone();
  }

  /**
   * Whether a container taken for a start can be started: a refused or
   * impossible one is finished here (or left waiting), and undefined
   * returned; else its cgroup (limits.beforeStart).
   */
  private prepare(c: ContainerRecord, now: number): { cgroup: CgroupRun | undefined } | undefined {
    const stillDue = c.state.state === 'waiting' && c.restartAtMs === 0 && c.launching !== true;
    if (this.pod.halted() || !stillDue || c.securityRefusal !== undefined) return undefined;
    if (!c.launch) {
      const failure = c.setupError ?? { reason: 'cmdStartError', message: 'nothing to run' };
      this.pod.finishRun(c, { kind: 'setupFailed', ...failure }, now);
      return undefined;
    }
    const limits = this.pod.limits.beforeStart(c);
    if (!limits.ok) {
      this.deps.log.info(
        { pod: this.pod.key, container: c.name, reason: 'cmdStartError' },
        'Container failed to start',
      );
      this.pod.finishRun(c, { kind: 'setupFailed', reason: 'cmdStartError', message: limits.message }, now);
      return undefined;
    }
    return { cgroup: limits.cgroup };
  }

  private launchOne(c: ContainerRecord, cgroup: CgroupRun | undefined, now: number, done: () => void): void {
    const logs = this.pod.logsOf(c.name);
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
        this.pod.launched(c, r, logs, now);
      } catch (err) {
        this.deps.log.error({ err, pod: this.pod.key, container: c.name }, 'Recording a start failed');
      } finally {
        done();
      }
    };
    if (result instanceof Promise) result.then(apply, (err: unknown) => apply(failed(err)));
    else apply(result);
  }
}
