import type { Logger } from '../../common/logger.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { KubeApi, PodInformer } from '../kube/kube-api.js';
import type { LimitFacts } from '../node/limit-annotations.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { EventRecorder } from './event-recorder.js';
import { PodObjectFetcher } from './object-fetcher.js';
import { PodEffects } from './pod-effects.js';
import { PodExecutor, type PodSnapshot } from './pod-executor.js';
import type { RunnerPods } from './pod-record.js';
import { resyncDelayMs, resyncSlackMs } from './resync-schedule.js';
import type { StatusWriter } from './status-writer.js';

export type { RunnerPods } from './pod-record.js';

export interface PodControllerOptions {
  hostIp: string;
  ignoreRestartPolicy: boolean;
  allocatable: () => { cpu: string; memory: string; 'ephemeral-storage': string };
  /** How the runner enforces limits, for the warnings of pods whose limits it cannot. */
  limitFacts?: () => Partial<LimitFacts> | undefined;
  now?: () => number;
  resyncIntervalMs?: number;
  /** Back-off between attempts to create a pod whose configuration is incomplete. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

/**
 * Reconciles pods bound to the node with the runner. Feeds what the informer
 * and the runner link report to the PodExecutor, which runs each pod's
 * lifecycle (see `decide` and src/kubelet/README.md); finds the runner pods
 * the API does not have; keeps the running-pods gauge; resyncs each pod an
 * interval after its last sync (resync-schedule.ts). Nothing is created or
 * failed while the runner link is not synced.
 */
export class PodController {
  private readonly executor: PodExecutor;
  private resyncTimer: NodeJS.Timeout | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When runner pods the API lacks were last looked for by a resync. */
  private orphansCheckedAtMs = 0;
  private readonly now: () => number;

  constructor(
    api: KubeApi,
    private readonly informer: PodInformer,
    private readonly runner: RunnerPods,
    private readonly statusWriter: StatusWriter,
    events: EventRecorder,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: PodControllerOptions,
  ) {
    const now = options.now ?? Date.now;
    this.now = now;
    const { hostIp, ignoreRestartPolicy, allocatable, limitFacts } = options;
    const fetcher = new PodObjectFetcher(api);
    const effects = new PodEffects(api, runner, fetcher, statusWriter, events, metrics, logger, {
      hostIp,
      ignoreRestartPolicy,
      allocatable,
      now,
      // The pods running here: their declared ports are taken on the host.
      podsOnNode: () => informer.list().filter((p) => runner.getPod(p.metadata?.uid ?? '') !== undefined),
      limitFacts,
    });
    this.executor = new PodExecutor(runner, effects, logger, {
      now,
      retryInitialMs: options.retryInitialMs ?? 1000,
      retryMaxMs: options.retryMaxMs ?? 10_000,
      onSynced: (operation, durationMs) => metrics.observePodWorker(operation, durationMs / 1000),
    });
  }

  start(): void {
    this.informer.start({
      add: (pod) => this.executor.apiPodChanged(pod),
      update: (pod) => this.executor.apiPodChanged(pod),
      delete: (pod) => this.executor.apiPodDeleted(pod),
      synced: () => this.resyncAll(),
    });
    this.armResync(this.options.resyncIntervalMs ?? 60_000);
  }

  /**
   * Two-phase stop: no new syncs start, status writes already requested get up
   * to `drainTimeoutMs` to land, then the informer stops.
   */
  async stop(drainTimeoutMs = 3000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    clearTimeout(this.gaugeTimer);
    this.executor.stop();
    if (!(await this.statusWriter.drain(drainTimeoutMs))) {
      this.logger.warn({ drainTimeoutMs }, 'Pod status writes still pending at shutdown');
    }
    await this.informer.stop();
  }

  /** Runner link: a pod changed. */
  onRunnerPodChanged(pod: Pod__Output, receivedAtMs: number): void {
    this.updateGaugeSoon();
    if (!this.executor.runnerPodChanged(pod, receivedAtMs)) this.reconcileOrphans();
  }

  /** Runner link: the runner forgot a pod (every process gone). */
  onRunnerPodDeleted(pod: Pod__Output, receivedAtMs: number): void {
    this.updateGaugeSoon();
    this.executor.runnerPodDeleted(pod, receivedAtMs);
  }

  /** Runner link: synced (first time or after a reconnect): everything is reconciled. */
  onRunnerSynced(): void {
    this.updateGaugeSoon();
    this.resyncAll();
  }

  /** The eviction manager evicts a pod: Failed, reason Evicted, `message`, then stopped. */
  evict(uid: string, message: string): boolean {
    return !this.stopped && this.executor.evict(uid, message);
  }

  /** Pods known to the controller (tests and diagnostics). */
  record(uid: string): PodSnapshot | undefined {
    return this.executor.snapshot(uid);
  }

  private resyncAll(): void {
    if (this.stopped) return;
    this.executor.syncAll();
    this.reconcileOrphans();
    this.orphansCheckedAtMs = this.now();
  }

  /**
   * The periodic resync (resync-schedule.ts): syncs the pods due, looks for
   * orphans once an interval, and sets the timer for whichever is due next.
   */
  private armResync(intervalMs: number): void {
    if (this.stopped) return;
    const nextPodAtMs = this.executor.syncStale(intervalMs, resyncSlackMs(intervalMs));
    if (this.now() - this.orphansCheckedAtMs >= intervalMs) {
      this.reconcileOrphans();
      this.orphansCheckedAtMs = this.now();
    }
    const orphansAtMs = this.orphansCheckedAtMs + intervalMs;
    const nextAtMs = Math.min(nextPodAtMs ?? orphansAtMs, orphansAtMs);
    this.resyncTimer = setTimeout(
      () => this.armResync(intervalMs),
      resyncDelayMs(nextAtMs, this.now(), intervalMs),
    );
  }

  /** Runner pods the API does not have (once both sides are synced) are deleted from the runner. */
  private reconcileOrphans(): void {
    if (!this.informer.hasSynced() || !this.runner.isSynced()) return;
    for (const runnerPod of this.runner.pods().values()) {
      if (this.executor.has(runnerPod.uid) || runnerPod.deleting) continue;
      this.logger.info(
        { pod: `${runnerPod.namespace}/${runnerPod.name}`, uid: runnerPod.uid },
        'Runner holds a pod the API server does not; deleting it',
      );
      this.executor.adoptOrphan(runnerPod);
    }
  }

  private updateGaugeSoon(): void {
    if (this.gaugeTimer || this.stopped) return;
    this.gaugeTimer = setTimeout(() => {
      this.gaugeTimer = undefined;
      let running = 0;
      for (const p of this.runner.pods().values()) {
        if ([...p.initContainerStatuses, ...p.containerStatuses].some((s) => s.state?.running)) running++;
      }
      this.metrics.runningPods.set(running);
    }, 200);
  }
}
