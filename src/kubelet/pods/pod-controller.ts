import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { KubeApi, PodInformer } from '../kube/kube-api.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { podWorkerOperation } from '../kubelet-state-metrics.js';
import type { EventRecorder } from './event-recorder.js';
import { PodObjectFetcher } from './object-fetcher.js';
import { PodCreator } from './pod-creator.js';
import { PodDeleter } from './pod-deleter.js';
import { newPodRecord, type PodRecord, type RunnerPods } from './pod-record.js';
import { apiShowsStarted, isTerminalPhase } from './pod-status.js';
import { PodStatusReporter } from './pod-status-reporter.js';
import type { StatusWriter } from './status-writer.js';

export type { RunnerPods } from './pod-record.js';

export interface PodControllerOptions {
  hostIp: string;
  ignoreRestartPolicy: boolean;
  allocatable: () => { cpu: string; memory: string; 'ephemeral-storage': string };
  now?: () => number;
  resyncIntervalMs?: number;
  /** Back-off between attempts to create a pod whose configuration is incomplete. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

/**
 * Reconciles pods bound to the node with the runner: creates them once their
 * ConfigMaps and Secrets exist, turns runner state into pod status, runs the
 * deletion protocol, adopts what the runner already runs and reports pods the
 * runner lost. One sync per pod at a time; events arriving meanwhile re-run it.
 * Nothing is created or failed while the runner link is not synced.
 */
export class PodController {
  private readonly records = new Map<string, PodRecord>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly reporter: PodStatusReporter;
  private readonly creator: PodCreator;
  private readonly deleter: PodDeleter;

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
    this.now = options.now ?? Date.now;
    const { hostIp, ignoreRestartPolicy } = options;
    this.reporter = new PodStatusReporter(statusWriter, events, metrics, logger, {
      hostIp,
      ignoreRestartPolicy,
      now: this.now,
    });
    const fetcher = new PodObjectFetcher(api);
    this.creator = new PodCreator(fetcher, runner, this.reporter, logger, {
      hostIp,
      ignoreRestartPolicy,
      allocatable: options.allocatable,
    });
    this.deleter = new PodDeleter(api, runner, this.reporter, logger);
  }

  start(): void {
    this.informer.start({
      add: (pod) => this.onApiPod(pod),
      update: (pod) => this.onApiPod(pod),
      delete: (pod) => this.onApiPodDeleted(pod),
      synced: () => this.resyncAll(),
    });
    this.resyncTimer = setInterval(() => this.resyncAll(), this.options.resyncIntervalMs ?? 60_000);
  }

  /**
   * Two-phase stop: no new syncs start, status writes already requested get up
   * to `drainTimeoutMs` to land, then the informer stops.
   */
  async stop(drainTimeoutMs = 3000): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.gaugeTimer);
    for (const rec of this.records.values()) clearTimeout(rec.retryTimer);
    if (!(await this.statusWriter.drain(drainTimeoutMs))) {
      this.logger.warn({ drainTimeoutMs }, 'Pod status writes still pending at shutdown');
    }
    await this.informer.stop();
  }

  /** Runner link: a pod changed. */
  onRunnerPodChanged(pod: Pod__Output, receivedAtMs: number): void {
    this.updateGaugeSoon();
    const rec = this.records.get(pod.uid);
    if (!rec) {
      this.reconcileOrphans();
      return;
    }
    rec.eventAtMs ??= receivedAtMs;
    this.enqueue(rec);
  }

  /** Runner link: the runner forgot a pod (every process gone). */
  onRunnerPodDeleted(pod: Pod__Output, receivedAtMs: number): void {
    this.updateGaugeSoon();
    const rec = this.records.get(pod.uid);
    if (rec) {
      rec.runnerGone = pod;
      rec.eventAtMs ??= receivedAtMs;
      this.enqueue(rec);
    }
    // A same-named successor may have been waiting for this pod's directory.
    for (const other of this.records.values()) {
      if (other !== rec && other.namespace === pod.namespace && other.name === pod.name) this.enqueue(other);
    }
  }

  /** Runner link: synced (first time or after a reconnect): everything is reconciled. */
  onRunnerSynced(): void {
    this.updateGaugeSoon();
    this.resyncAll();
  }

  /** Pods known to the controller (tests and diagnostics). */
  record(uid: string): Readonly<PodRecord> | undefined {
    return this.records.get(uid);
  }

  private onApiPod(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    for (const other of this.records.values()) {
      // A relist reports a same-named replacement as an update; the old UID is gone.
      if (
        other.uid !== uid &&
        other.pod &&
        other.namespace === pod.metadata?.namespace &&
        other.name === pod.metadata?.name
      ) {
        other.pod = undefined;
        this.enqueue(other);
      }
    }
    let rec = this.records.get(uid);
    if (!rec) {
      rec = newPodRecord(uid, pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', this.now(), {
        initialMs: this.options.retryInitialMs ?? 1000,
        maxMs: this.options.retryMaxMs ?? 10_000,
      });
      this.records.set(uid, rec);
    }
    rec.pod = pod;
    rec.lastPod = pod;
    this.enqueue(rec);
  }

  private onApiPodDeleted(pod: V1Pod): void {
    const rec = pod.metadata?.uid ? this.records.get(pod.metadata.uid) : undefined;
    if (!rec) return;
    rec.pod = undefined;
    this.enqueue(rec);
  }

  private resyncAll(): void {
    if (this.stopped) return;
    for (const rec of this.records.values()) this.enqueue(rec);
    this.reconcileOrphans();
  }

  /** Runner pods the API does not have (once both sides are synced) are deleted from the runner. */
  private reconcileOrphans(): void {
    if (!this.informer.hasSynced() || !this.runner.isSynced()) return;
    for (const runnerPod of this.runner.pods().values()) {
      if (this.records.has(runnerPod.uid) || runnerPod.deleting) continue;
      const rec = newPodRecord(runnerPod.uid, runnerPod.namespace, runnerPod.name, this.now(), {
        initialMs: 1000,
        maxMs: 10_000,
      });
      this.records.set(runnerPod.uid, rec);
      this.logger.info(
        { pod: `${runnerPod.namespace}/${runnerPod.name}`, uid: runnerPod.uid },
        'Runner holds a pod the API server does not; deleting it',
      );
      this.enqueue(rec);
    }
  }

  private enqueue(rec: PodRecord): void {
    if (this.stopped) return;
    if (rec.syncing) {
      rec.dirty = true;
      return;
    }
    rec.syncing = true;
    void (async () => {
      do {
        rec.dirty = false;
        const startedMs = this.now();
        const operation = podWorkerOperation(rec.pod, this.runner.getPod(rec.uid));
        try {
          await this.syncPod(rec);
          this.metrics.observePodWorker(operation, (this.now() - startedMs) / 1000);
        } catch (err) {
          this.logger.warn({ err, pod: `${rec.namespace}/${rec.name}`, uid: rec.uid }, 'Pod sync failed');
          this.scheduleRetry(rec);
        }
      } while (rec.dirty && !this.stopped && this.records.get(rec.uid) === rec);
      rec.syncing = false;
    })();
  }

  private scheduleRetry(rec: PodRecord): void {
    if (rec.retryTimer || this.stopped) return;
    const delayMs = rec.retryBackoff.next();
    rec.retryTimer = setTimeout(() => {
      rec.retryTimer = undefined;
      this.enqueue(rec);
    }, delayMs);
  }

  private forget(rec: PodRecord): void {
    clearTimeout(rec.retryTimer);
    this.records.delete(rec.uid);
    this.statusWriter.forget(rec.uid);
  }

  private async syncPod(rec: PodRecord): Promise<void> {
    const pod = rec.pod;
    const runnerPod = this.runner.getPod(rec.uid);
    const linkUp = this.runner.isSynced();

    if (!pod) {
      if (!linkUp || rec.creating) return;
      if (runnerPod && !runnerPod.deleting && !rec.deleteSent) {
        const last = rec.lastPod;
        const grace = last?.metadata?.deletionGracePeriodSeconds ?? last?.spec?.terminationGracePeriodSeconds;
        await this.deleter.stopInRunner(rec, grace);
      } else if (!runnerPod) {
        this.forget(rec);
      }
      return;
    }

    if (pod.metadata?.deletionTimestamp) return this.deleter.sync(rec, pod, runnerPod, linkUp);
    if (!runnerPod && isTerminalPhase(pod)) return;
    if (!linkUp) return;

    if (runnerPod) {
      rec.created = true;
      this.reporter.runnerPodChanged(rec, pod, runnerPod);
      return;
    }
    if (rec.lost || rec.created || apiShowsStarted(pod)) return this.reporter.lost(rec, pod);
    const predecessor = [...this.runner.pods().values()].some(
      (p) => p.uid !== rec.uid && p.namespace === rec.namespace && p.name === rec.name,
    );
    if (predecessor || rec.retryTimer) return;
    const outcome = await this.creator.create(rec, pod);
    if (outcome === 'waiting') this.scheduleRetry(rec);
    else rec.dirty = true;
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
