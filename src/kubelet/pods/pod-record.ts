import type { V1Pod } from '@kubernetes/client-node';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { Backoff } from '../backoff.js';
import type { ContainerCreateError } from './pod-status.js';

/** The runner operations the pod controller needs (RunnerLink provides them). */
export interface RunnerPods {
  isSynced(): boolean;
  getPod(uid: string): Pod__Output | undefined;
  pods(): ReadonlyMap<string, Pod__Output>;
  createPod(spec: PodSpec): Promise<Pod__Output>;
  deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output>;
}

/** The kubelet's per-pod bookkeeping, keyed by UID. Owned by the PodController. */
export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  /** The API object; undefined once the API no longer has it. */
  pod: V1Pod | undefined;
  /** The last API object seen, kept after deletion for its grace period. */
  lastPod: V1Pod | undefined;
  firstSeenMs: number;
  /** The runner held this pod at some point (created here or adopted). */
  created: boolean;
  /** CreatePod was called by this process (pod start latency is measured only then). */
  createdHere: boolean;
  creating: boolean;
  configError: ContainerCreateError | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  retryBackoff: Backoff;
  deleteSent: boolean;
  apiDeleteSent: boolean;
  /** The runner's last state of the pod, from its DELETED event. */
  runnerGone: Pod__Output | undefined;
  startObserved: boolean;
  lost: boolean;
  eventKeys: Set<string>;
  /** Arrival of the oldest runner event not yet reflected in a status write. */
  eventAtMs: number | undefined;
  syncing: boolean;
  dirty: boolean;
}

export function newPodRecord(
  uid: string,
  namespace: string,
  name: string,
  nowMs: number,
  retry: { initialMs: number; maxMs: number },
): PodRecord {
  return {
    uid,
    namespace,
    name,
    pod: undefined,
    lastPod: undefined,
    firstSeenMs: nowMs,
    created: false,
    createdHere: false,
    creating: false,
    configError: undefined,
    retryTimer: undefined,
    retryBackoff: new Backoff(retry.initialMs, retry.maxMs),
    deleteSent: false,
    apiDeleteSent: false,
    runnerGone: undefined,
    startObserved: false,
    lost: false,
    eventKeys: new Set(),
    eventAtMs: undefined,
    syncing: false,
    dirty: false,
  };
}
