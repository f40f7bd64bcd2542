import type { WirePod } from '../kube/wire-types.js';
import { KindError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ContainerConfigError } from '../errors.js';
import type { KubeApi } from '../kube/kube-api.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { EventRecorder, PodEvent } from './event-recorder.js';
import type { PodObjectFetcher } from './object-fetcher.js';
import type { PodInput, WriteStatusAction } from './pod-actions.js';
import type { RunnerPods } from './pod-record.js';
import { computePodStatus } from './pod-status.js';
import { declaresContainerPorts, findPortConflicts } from './port-conflicts.js';
import type { LimitFacts } from '../node/limit-annotations.js';
import { unenforcedLimitEvents } from './limit-events.js';
import { buildRunnerPodSpec } from './runner-pod-spec.js';
import { buildEphemeralContainerRequest } from './ephemeral-container-spec.js';
import { UnavailableError } from '../../common/errors.js';
import { observedStatus, type PodRef, type StatusWriter } from './status-writer.js';

export interface PodEffectsOptions {
  hostIp: string;
  ignoreRestartPolicy: boolean;
  allocatable: () => { cpu: string; memory: string; 'ephemeral-storage': string };
  now: () => number;
  /** The other pods the runner holds (for containerPort conflicts); none when unset. */
  podsOnNode?: () => readonly WirePod[];
  /** How the runner enforces limits (its last GetNodeInfo); undefined before it answered. */
  limitFacts?: () => Partial<LimitFacts> | undefined;
}

/**
 * The IO behind the executor's actions. Holds no per-pod state. The async
 * calls never reject for an expected failure: they resolve to the result
 * that `decide` takes next (a failure included) and log what they did.
 */
export class PodEffects {
  constructor(
    private readonly api: KubeApi,
    private readonly runner: RunnerPods,
    private readonly fetcher: PodObjectFetcher,
    private readonly statusWriter: StatusWriter,
    private readonly events: EventRecorder,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: PodEffectsOptions,
  ) {}

  /**
   * Creates the pod in the runner as the kubelet starts one: fetches what it
   * refers to, resolves env and volumes, then calls CreatePod unless
   * `stillWanted()` says the pod or the link changed meanwhile.
   */
  async create(ref: PodRef, pod: WirePod, stillWanted: () => boolean): Promise<PodInput> {
    let built;
    try {
      built = buildRunnerPodSpec(pod, await this.fetcher.fetch(pod), {
        hostIp: this.options.hostIp,
        podIp: this.options.hostIp,
        allocatable: this.options.allocatable(),
        ignoreRestartPolicy: this.options.ignoreRestartPolicy,
      });
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) {
        return { type: 'createFailed', pod, error, refusal: undefined };
      }
      return {
        type: 'createWaiting',
        pod,
        error: { message: error.message, containers: error.containers },
      };
    }
    if (!stillWanted()) return { type: 'createAborted' };
    try {
      await this.runner.createPod(built.spec);
    } catch (error) {
      // Any answer but "unavailable" means the runner looked at the spec and refused it (see Runner.createPod).
      const refusal = error instanceof KindError && error.kind !== 'unavailable' ? error.message : undefined;
      return { type: 'createFailed', pod, error, refusal };
    }
    this.logger.info({ pod: key(ref), uid: ref.uid }, 'Created pod');
    // The pods on the node are listed only for a pod that declares ports: a list per create is O(pods).
    const portConflicts = declaresContainerPorts(pod)
      ? findPortConflicts(pod, this.options.podsOnNode?.() ?? [])
      : [];
    if (portConflicts.length > 0) {
      this.logger.warn(
        { pod: key(ref), uid: ref.uid, portConflicts },
        'Declared container ports are taken here',
      );
    }
    return {
      type: 'created',
      pod,
      skippedVolumes: built.skipped,
      limitEvents: unenforcedLimitEvents(pod, this.options.limitFacts?.()),
      portConflicts,
    };
  }

  /**
   * Starts an ephemeral container (`kubectl debug`): fetches what its env
   * refers to, resolves it, AddEphemeralContainer. A missing ConfigMap or an
   * unreachable runner is retried; a refusal is final.
   */
  async addEphemeralContainer(ref: PodRef, pod: WirePod, container: string): Promise<PodInput> {
    const add = this.runner.addEphemeralContainer?.bind(this.runner);
    if (!add) {
      const error = new Error('this runner cannot start ephemeral containers');
      return { type: 'ephemeralFailed', pod, container, error, retry: false };
    }
    try {
      const request = buildEphemeralContainerRequest(pod, container, await this.fetcher.fetch(pod), {
        hostIp: this.options.hostIp,
        podIp: this.options.hostIp,
        allocatable: this.options.allocatable(),
      });
      await add(request);
    } catch (error) {
      const retry = error instanceof ContainerConfigError || error instanceof UnavailableError;
      return { type: 'ephemeralFailed', pod, container, error, retry };
    }
    this.logger.info({ pod: key(ref), uid: ref.uid, container }, 'Started ephemeral container');
    return { type: 'ephemeralAdded', pod, container };
  }

  /** DeletePod in the runner (which SIGTERMs, waits the grace period, then SIGKILLs). */
  async deleteInRunner(ref: PodRef, gracePeriodSeconds: number | undefined): Promise<PodInput> {
    try {
      await this.runner.deletePod(ref.uid, gracePeriodSeconds);
    } catch (error) {
      return { type: 'runnerDeleteFailed', error };
    }
    this.logger.info({ pod: key(ref), uid: ref.uid, gracePeriodSeconds }, 'Stopping pod');
    return { type: 'runnerDeleteSent' };
  }

  /** Deletes the API object with grace 0 and a UID precondition (never a same-named successor). */
  async deleteApiObject(ref: PodRef): Promise<PodInput> {
    try {
      await this.api.deletePod(ref.namespace, ref.name, ref.uid);
    } catch (error) {
      return { type: 'apiDeleteFailed', error };
    }
    this.logger.info({ pod: key(ref), uid: ref.uid }, 'Deleted pod');
    return { type: 'apiDeleted' };
  }

  /**
   * Computes the status (the clock is read here) and hands it to the status
   * writer, which coalesces; resolves once written or skipped, never rejects.
   * `eventAtMs` is when the runner event it reflects arrived (latency metric).
   */
  writeStatus(
    ref: PodRef,
    firstSeenMs: number,
    action: WriteStatusAction,
    eventAtMs: number | undefined,
  ): Promise<void> {
    const status = computePodStatus({
      pod: action.pod,
      runnerPod: action.runnerPod,
      hostIp: this.options.hostIp,
      nowMs: this.options.now(),
      firstSeenMs,
      ignoreRestartPolicy: this.options.ignoreRestartPolicy,
      configError: action.configError,
      lost: action.lost,
      terminal: action.terminal,
      evicted: action.evicted,
    });
    return this.statusWriter.set(ref, status, observedStatus(action.pod), eventAtMs);
  }

  /** The resourceVersion the API server gave the pod's last status patch (undefined before one landed). */
  writtenVersion(uid: string): string | undefined {
    return this.statusWriter.writtenVersion(uid);
  }

  /** Fire and forget. */
  emit(pod: WirePod, event: PodEvent): void {
    this.events.emit(pod, event);
  }

  observeStartLatency(seconds: number): void {
    this.metrics.podStartDurationSeconds.observe(seconds);
  }

  /** The status writer's state for a pod that is gone. */
  forget(uid: string): void {
    this.statusWriter.forget(uid);
  }
}

function key(ref: PodRef): string {
  return `${ref.namespace}/${ref.name}`;
}
