import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { ContainerConfigError } from '../errors.js';
import type { KubeApi, PodInformer } from '../kube/kube-api.js';
import { timeMs } from '../kube-time.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { RunnerCallError } from '../runner/runner-link.js';
import { containerEvents } from './container-events.js';
import { containerFieldPath, podKey, type EventRecorder } from './event-recorder.js';
import { fetchPodObjects } from './object-fetcher.js';
import { newPodRecord, type PodRecord } from './pod-record.js';
import { allContainersRunning, apiShowsStarted, computePodStatus, isTerminalPhase } from './pod-status.js';
import { buildRunnerPodSpec } from './runner-pod-spec.js';
import { observedStatus, type StatusWriter } from './status-writer.js';

/** The runner operations the pod controller needs (RunnerLink provides them). */
export interface RunnerPods {
  isSynced(): boolean;
  getPod(uid: string): Pod__Output | undefined;
  pods(): ReadonlyMap<string, Pod__Output>;
  createPod(spec: PodSpec): Promise<Pod__Output>;
  deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output>;
}

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

  constructor(
    private readonly api: KubeApi,
    private readonly informer: PodInformer,
    private readonly runner: RunnerPods,
    private readonly statusWriter: StatusWriter,
    private readonly events: EventRecorder,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: PodControllerOptions,
  ) {
    this.now = options.now ?? Date.now;
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
        try {
          await this.syncPod(rec);
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
        await this.deleteFromRunner(rec, grace);
      } else if (!runnerPod) {
        this.forget(rec);
      }
      return;
    }

    if (pod.metadata?.deletionTimestamp) return this.syncDeleting(rec, pod, runnerPod, linkUp);
    if (!runnerPod && isTerminalPhase(pod)) return;
    if (!linkUp) return;

    if (runnerPod) {
      rec.created = true;
      void this.writeStatus(rec, pod, runnerPod);
      this.emitContainerEvents(rec, pod, runnerPod);
      this.observeStart(rec, pod, runnerPod);
      return;
    }
    if (rec.lost || rec.created || apiShowsStarted(pod)) {
      if (!rec.lost) {
        rec.lost = true;
        this.logger.warn(
          { pod: podKey(pod), uid: rec.uid },
          'Runner lost a started pod; reporting it Failed',
        );
        this.events.emit(pod, {
          type: 'Warning',
          reason: 'RunnerLostPod',
          message: 'The runner no longer holds this pod; it is not run again',
        });
      }
      void this.writeStatus(rec, pod, undefined);
      return;
    }
    const predecessor = [...this.runner.pods().values()].some(
      (p) => p.uid !== rec.uid && p.namespace === rec.namespace && p.name === rec.name,
    );
    if (predecessor || rec.retryTimer) return;
    await this.createInRunner(rec, pod);
  }

  private async syncDeleting(
    rec: PodRecord,
    pod: V1Pod,
    runnerPod: Pod__Output | undefined,
    linkUp: boolean,
  ): Promise<void> {
    if (rec.creating) return;
    if (runnerPod) {
      if (!linkUp) return;
      if (!rec.deleteSent && !runnerPod.deleting) {
        for (const s of [...runnerPod.initContainerStatuses, ...runnerPod.containerStatuses]) {
          if (!s.state?.running) continue;
          this.events.emit(pod, {
            type: 'Normal',
            reason: 'Killing',
            message: `Stopping container ${s.name}`,
            fieldPath: containerFieldPath(pod, s.name),
          });
        }
        await this.deleteFromRunner(rec, pod.metadata?.deletionGracePeriodSeconds);
      }
      void this.writeStatus(rec, pod, this.runner.getPod(rec.uid));
      return;
    }
    // The runner does not hold it. If it ran and the link is down, the runner may still: wait.
    if (!linkUp && (rec.created || apiShowsStarted(pod))) return;
    if (rec.apiDeleteSent) return;
    if (rec.runnerGone) {
      const final = computePodStatus({
        ...this.statusInputs(rec, pod),
        runnerPod: rec.runnerGone,
        terminal: true,
      });
      await this.statusWriter.set(this.ref(rec), final, observedStatus(pod), rec.eventAtMs);
      rec.eventAtMs = undefined;
    }
    rec.apiDeleteSent = true;
    try {
      await this.api.deletePod(rec.namespace, rec.name, rec.uid);
      this.logger.info({ pod: podKey(pod), uid: rec.uid }, 'Deleted pod');
    } catch (err) {
      rec.apiDeleteSent = false;
      throw err;
    }
  }

  private async deleteFromRunner(rec: PodRecord, gracePeriodSeconds: number | undefined): Promise<void> {
    rec.deleteSent = true;
    try {
      await this.runner.deletePod(rec.uid, gracePeriodSeconds);
      this.logger.info(
        { pod: `${rec.namespace}/${rec.name}`, uid: rec.uid, gracePeriodSeconds },
        'Stopping pod',
      );
    } catch (err) {
      rec.deleteSent = false;
      throw err;
    }
  }

  private async createInRunner(rec: PodRecord, pod: V1Pod): Promise<void> {
    rec.creating = true;
    try {
      let spec: PodSpec;
      try {
        const objects = await fetchPodObjects(this.api, pod);
        spec = buildRunnerPodSpec(pod, objects, {
          hostIp: this.options.hostIp,
          podIp: this.options.hostIp,
          allocatable: this.options.allocatable(),
          ignoreRestartPolicy: this.options.ignoreRestartPolicy,
        });
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.setCreateError(rec, pod, { message: err.message, containers: err.containers });
        this.scheduleRetry(rec);
        return;
      }
      // Deleted, or the link dropped, while resolving: the re-run decides.
      if (!rec.pod || rec.pod.metadata?.deletionTimestamp || !this.runner.isSynced()) {
        rec.dirty = true;
        return;
      }
      try {
        await this.runner.createPod(spec);
      } catch (err) {
        if (err instanceof RunnerCallError) {
          this.setCreateError(rec, pod, {
            reason: 'CreateContainerError',
            message: err.message,
            containers: [],
          });
        }
        throw err;
      }
      rec.created = true;
      rec.createdHere = true;
      rec.configError = undefined;
      rec.retryBackoff.reset();
      rec.dirty = true;
      this.logger.info({ pod: podKey(pod), uid: rec.uid }, 'Created pod');
    } finally {
      rec.creating = false;
    }
  }

  private setCreateError(rec: PodRecord, pod: V1Pod, error: NonNullable<PodRecord['configError']>): void {
    if (rec.configError?.message !== error.message) {
      const container = error.containers[0] ?? pod.spec?.containers[0]?.name;
      this.logger.info(
        {
          pod: podKey(pod),
          uid: rec.uid,
          reason: error.reason ?? 'CreateContainerConfigError',
          err: error.message,
        },
        'Cannot create pod yet',
      );
      this.events.emit(pod, {
        type: 'Warning',
        reason: 'Failed',
        message: `Error: ${error.message}`,
        ...(container ? { fieldPath: containerFieldPath(pod, container) } : {}),
      });
    }
    rec.configError = error;
    void this.writeStatus(rec, pod, undefined);
  }

  private statusInputs(rec: PodRecord, pod: V1Pod) {
    return {
      pod,
      runnerPod: undefined as Pod__Output | undefined,
      hostIp: this.options.hostIp,
      nowMs: this.now(),
      firstSeenMs: rec.firstSeenMs,
      ignoreRestartPolicy: this.options.ignoreRestartPolicy,
      configError: rec.configError,
      lost: rec.lost,
    };
  }

  private ref(rec: PodRecord) {
    return { namespace: rec.namespace, name: rec.name, uid: rec.uid };
  }

  private writeStatus(rec: PodRecord, pod: V1Pod, runnerPod: Pod__Output | undefined): Promise<void> {
    const status = computePodStatus({ ...this.statusInputs(rec, pod), runnerPod });
    const eventAtMs = rec.eventAtMs;
    rec.eventAtMs = undefined;
    return this.statusWriter.set(this.ref(rec), status, observedStatus(pod), eventAtMs);
  }

  private emitContainerEvents(rec: PodRecord, pod: V1Pod, runnerPod: Pod__Output): void {
    for (const { key, event } of containerEvents(pod, runnerPod)) {
      if (rec.eventKeys.has(key)) continue;
      rec.eventKeys.add(key);
      this.events.emit(pod, event);
    }
  }

  private observeStart(rec: PodRecord, pod: V1Pod, runnerPod: Pod__Output): void {
    if (rec.startObserved || !allContainersRunning(pod, runnerPod)) return;
    rec.startObserved = true;
    const createdMs = timeMs(pod.metadata?.creationTimestamp as unknown as string | Date | undefined);
    if (rec.createdHere && createdMs !== undefined) {
      this.metrics.podStartDurationSeconds.observe(Math.max(0, this.now() - createdMs) / 1000);
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
