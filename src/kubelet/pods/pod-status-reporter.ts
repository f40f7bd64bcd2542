import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { timeMs } from '../kube-time.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { containerEvents } from './container-events.js';
import { containerFieldPath, podKey, type EventRecorder } from './event-recorder.js';
import type { PodRecord } from './pod-record.js';
import { allContainersRunning, computePodStatus, RUNNER_LOST_POD_REASON } from './pod-status.js';
import { observedStatus, type StatusWriter } from './status-writer.js';

export interface PodStatusReporterOptions {
  hostIp: string;
  ignoreRestartPolicy: boolean;
  now: () => number;
}

/**
 * What the kubelet tells the API about a pod: its status (computed from the
 * runner's view and the record), the container events, the configuration
 * errors and the start latency metric. Status writes are coalesced by the
 * StatusWriter; events are fire-and-forget.
 */
export class PodStatusReporter {
  constructor(
    private readonly statusWriter: StatusWriter,
    private readonly events: EventRecorder,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: PodStatusReporterOptions,
  ) {}

  /** Computes and requests the pod's status; resolves once written or skipped. */
  write(rec: PodRecord, pod: V1Pod, runnerPod: Pod__Output | undefined, terminal = false): Promise<void> {
    const status = computePodStatus({
      pod,
      runnerPod,
      hostIp: this.options.hostIp,
      nowMs: this.options.now(),
      firstSeenMs: rec.firstSeenMs,
      ignoreRestartPolicy: this.options.ignoreRestartPolicy,
      configError: rec.configError,
      lost: rec.lost,
      terminal,
    });
    const eventAtMs = rec.eventAtMs;
    rec.eventAtMs = undefined;
    return this.statusWriter.set(
      { namespace: rec.namespace, name: rec.name, uid: rec.uid },
      status,
      observedStatus(pod),
      eventAtMs,
    );
  }

  /** Status, events and start latency for a pod the runner holds. */
  runnerPodChanged(rec: PodRecord, pod: V1Pod, runnerPod: Pod__Output): void {
    void this.write(rec, pod, runnerPod);
    for (const { key, event } of containerEvents(pod, runnerPod)) {
      if (rec.eventKeys.has(key)) continue;
      rec.eventKeys.add(key);
      this.events.emit(pod, event);
    }
    if (rec.startObserved || !allContainersRunning(pod, runnerPod)) return;
    rec.startObserved = true;
    const createdMs = timeMs(pod.metadata?.creationTimestamp as unknown as string | Date | undefined);
    if (rec.createdHere && createdMs !== undefined) {
      this.metrics.podStartDurationSeconds.observe(Math.max(0, this.options.now() - createdMs) / 1000);
    }
  }

  /** The runner lost a pod that had started: Failed, never run again. */
  lost(rec: PodRecord, pod: V1Pod): void {
    if (!rec.lost) {
      rec.lost = true;
      this.logger.warn({ pod: podKey(pod), uid: rec.uid }, 'Runner lost a started pod; reporting it Failed');
      this.events.emit(pod, {
        type: 'Warning',
        reason: RUNNER_LOST_POD_REASON,
        message: 'The runner no longer holds this pod; it is not run again',
      });
    }
    void this.write(rec, pod, undefined);
  }

  /** The pod's containers cannot be created yet (missing object, refused spec): waiting with the reason. */
  createError(rec: PodRecord, pod: V1Pod, error: NonNullable<PodRecord['configError']>): void {
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
    void this.write(rec, pod, undefined);
  }

  /** Kubelet-style Killing events for the containers a delete will stop. */
  killing(pod: V1Pod, runnerPod: Pod__Output): void {
    for (const s of [...runnerPod.initContainerStatuses, ...runnerPod.containerStatuses]) {
      if (!s.state?.running) continue;
      this.events.emit(pod, {
        type: 'Normal',
        reason: 'Killing',
        message: `Stopping container ${s.name}`,
        fieldPath: containerFieldPath(pod, s.name),
      });
    }
  }

  /** A warning that the pod runs without some of its volumes. */
  skippedVolumes(pod: V1Pod, skipped: ReadonlyArray<{ name: string; kind: string }>): void {
    for (const v of skipped) {
      this.events.emit(pod, {
        type: 'Warning',
        reason: 'FailedMount',
        message: `Volume "${v.name}" (${v.kind}) is not supported by vk-cmd; the pod runs without it`,
      });
    }
  }
}
