import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodEvent } from './event-recorder.js';
import type { PodRecord } from './pod-record.js';
import type { ContainerCreateError } from './pod-status.js';

/**
 * What `decide` sees besides the record, assembled by the executor for each
 * decision. Observations only: nothing here is the kubelet's own memory.
 */
export interface PodView {
  /** The API object; undefined once the API no longer has it (or never had it: an orphan). */
  apiPod: WirePod | undefined;
  /** The last API object seen, kept after it is gone: its grace period stops the runner's pod. */
  lastApiPod: WirePod | undefined;
  /** The runner's pod from the link's map (stale while the link is not synced). */
  runnerPod: Pod__Output | undefined;
  /** The runner's last state of the pod, from its DELETED event: the pod's final status. */
  runnerFinal: Pod__Output | undefined;
  /** Every pod the runner holds: a same-named predecessor blocks creation. */
  runnerPods: ReadonlyMap<string, Pod__Output>;
  /** The link holds the runner's complete state; nothing is created or reported lost otherwise. */
  linkSynced: boolean;
  /** A retry timer is armed; creation waits for it. */
  retryPending: boolean;
  nowMs: number;
}

/**
 * Why `decide` runs: `sync` when anything about the pod may have changed (an
 * API or runner event, the link syncing, a resync, a retry timer); the other
 * inputs are the results of the async actions, fed back by the executor.
 */
export type PodInput =
  | { type: 'sync' }
  /**
   * CreatePod succeeded; `skippedVolumes` are volumes vk-cmd cannot provide,
   * `limitEvents` the warnings about limits this node cannot enforce.
   */
  | {
      type: 'created';
      pod: WirePod;
      skippedVolumes: ReadonlyArray<{ name: string; kind: string }>;
      limitEvents?: readonly PodEvent[];
    }
  /** A ConfigMap, Secret or key the pod needs is missing (CreateContainerConfigError). */
  | { type: 'createWaiting'; pod: WirePod; error: ContainerCreateError }
  /** The pod was deleted or the link dropped while its objects were fetched: nothing was created. */
  | { type: 'createAborted' }
  /** Fetching or CreatePod failed; `refusal` is the runner's message when it refused the spec. */
  | { type: 'createFailed'; pod: WirePod; error: unknown; refusal: string | undefined }
  | { type: 'runnerDeleteSent' }
  | { type: 'runnerDeleteFailed'; error: unknown }
  | { type: 'apiDeleted' }
  | { type: 'apiDeleteFailed'; error: unknown }
  /** The runner started (or already runs) the ephemeral container. */
  | { type: 'ephemeralAdded'; pod: WirePod; container: string }
  /** Starting it failed; `retry` when it may work later (the runner unreachable, config missing). */
  | { type: 'ephemeralFailed'; pod: WirePod; container: string; error: unknown; retry: boolean };

/** A status write: computePodStatus's inputs except the clock, which the executor reads when writing. */
export interface WriteStatusAction {
  type: 'writeStatus';
  pod: WirePod;
  runnerPod: Pod__Output | undefined;
  configError: ContainerCreateError | undefined;
  /** Reported lost: Failed, RunnerLostPod, ContainerStatusUnknown. */
  lost: boolean;
  /** Being deleted and nothing will restart (the final status). */
  terminal: boolean;
  /** The next action waits until this status is written or given up (the final status before the API delete). */
  wait: boolean;
}

/**
 * What `decide` asks the executor to do, in order. createInRunner,
 * deleteInRunner and deleteApiObject are async and their result is the next
 * input; such an action is always the last of its decision.
 */
export type PodAction =
  /** Fetch what the pod refers to, build the runner spec, CreatePod. Result: created/createWaiting/createAborted/createFailed. */
  | { type: 'createInRunner'; pod: WirePod }
  /** DeletePod with the grace period (undefined: the runner's default). Result: runnerDeleteSent/runnerDeleteFailed. */
  | { type: 'deleteInRunner'; gracePeriodSeconds: number | undefined }
  /** Delete the API object with grace 0 and a UID precondition. Result: apiDeleted/apiDeleteFailed. */
  | { type: 'deleteApiObject' }
  /** Resolve an ephemeral container's env, AddEphemeralContainer. Result: ephemeralAdded/ephemeralFailed. */
  | { type: 'addEphemeralContainer'; pod: WirePod; container: string }
  | WriteStatusAction
  /** A core/v1 Event about the pod (fire and forget). */
  | { type: 'emitEvent'; pod: WirePod; event: PodEvent }
  /** kubelet_pod_start_duration_seconds. */
  | { type: 'observeStartLatency'; seconds: number }
  /** A log line; the executor adds the pod and its UID. */
  | { type: 'log'; level: 'info' | 'warn'; message: string; fields: Record<string, unknown> }
  /** Sync again after the back-off delay, unless a retry is already armed. */
  | { type: 'scheduleRetry' }
  | { type: 'resetRetryBackoff' }
  /** Sync again as soon as this sync ends. */
  | { type: 'resync' }
  /** Drop the record and the status writer's state for the pod. */
  | { type: 'forget' };

/** The outcome of one decision: the record to store and the actions to perform, in order. */
export interface Decision {
  next: PodRecord;
  actions: PodAction[];
}

/** The actions whose result comes back as the next input. */
export const ASYNC_ACTIONS: ReadonlySet<PodAction['type']> = new Set([
  'createInRunner',
  'deleteInRunner',
  'deleteApiObject',
  'addEphemeralContainer',
]);
