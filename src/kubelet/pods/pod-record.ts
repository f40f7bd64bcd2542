import type { Runner } from '../runner/runner.js';
import type { ContainerCreateError } from './pod-status.js';

/**
 * The part of the Runner interface the pod controller uses;
 * addEphemeralContainer is optional (absent: `kubectl debug` is refused).
 */
export type RunnerPods = Pick<Runner, 'isSynced' | 'getPod' | 'pods' | 'createPod' | 'deletePod'> &
  Partial<Pick<Runner, 'addEphemeralContainer'>>;

/**
 * Where a pod stands in the kubelet's lifecycle, as this process sees it: what
 * the kubelet has done and what it waits for. What it does next is `decide`'s
 * call, from the state, the API object, the runner's pod and the link.
 */
export type PodState =
  /** Known from the API; nothing asked of the runner yet, or a failed create waits for its retry. */
  | { kind: 'new' }
  /** The runner holds a pod the API server does not have (found once both sides are synced). */
  | { kind: 'orphan' }
  /** A same-named pod with another UID is still in the runner (its directory is in use). */
  | { kind: 'waitingForPredecessor'; error: ContainerCreateError | undefined }
  /** CreateContainerConfigError or CreateContainerError is shown on the pod; a retry is scheduled. */
  | { kind: 'waitingForConfig'; error: ContainerCreateError }
  /** ConfigMaps and Secrets are fetched and CreatePod is in flight; the pod still shows `error`. */
  | { kind: 'creating'; error: ContainerCreateError | undefined }
  /** The runner holds the pod (created here or adopted); status, events and start latency mirror it. */
  | { kind: 'running' }
  /** The API shows Succeeded or Failed and the runner holds nothing: nothing to do until deletion. */
  | { kind: 'finished' }
  /** The runner no longer holds a pod that ran: reported Failed (RunnerLostPod), never run again. */
  | { kind: 'lost' }
  /** Deletion requested, next step waits: for the link to sync, or to retry a failed call. */
  | { kind: 'terminating' }
  /** DeletePod sent (or the runner is already deleting it); waiting for the runner's DELETED. */
  | { kind: 'terminatingInRunner' }
  /** Final status written, API delete with grace 0 and a UID precondition sent; waiting for the informer. */
  | { kind: 'deletingApiObject' }
  /** Forgotten: the record is dropped. */
  | { kind: 'gone' };

export type PodStateKind = PodState['kind'];

/**
 * The kubelet's memory of one pod, keyed by UID. Plain data: `decide` returns
 * the next record and the PodExecutor, its only writer, stores it. What the
 * kubelet observes (the API object, the runner's pod) is not part of it.
 */
export interface PodRecord {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** When this process first handled the pod: the status's startTime while the API has none. */
  readonly firstSeenMs: number;
  readonly state: PodState;
  /**
   * What the runner did with the pod as far as this process knows; it only
   * moves forward. held: the runner held it (created here or adopted), so if
   * it disappears it was lost, and a deletion while the link is down waits
   * for the runner. lost: reported lost; every later status says so.
   */
  readonly runnerHistory: 'never' | 'held' | 'lost';
  /** CreatePod was made by this process and not every container has run yet: start latency is due. */
  readonly startLatencyPending: boolean;
  /** Container events already emitted (Started per run, BackOff per restart, Failed per set-up failure). */
  readonly eventKeys: ReadonlySet<string>;
  /** Ephemeral containers this process asked the runner to start (or gave up on): not asked again. */
  readonly ephemeralRequested: ReadonlySet<string>;
}

export function newPodRecord(
  uid: string,
  namespace: string,
  name: string,
  firstSeenMs: number,
  state: PodState = { kind: 'new' },
): PodRecord {
  return {
    uid,
    namespace,
    name,
    firstSeenMs,
    state,
    runnerHistory: 'never',
    startLatencyPending: false,
    eventKeys: new Set(),
    ephemeralRequested: new Set(),
  };
}

/** The create error a not-yet-created pod shows (kept across retries and a wait for a predecessor). */
export function shownCreateError(state: PodState): ContainerCreateError | undefined {
  switch (state.kind) {
    case 'waitingForConfig':
    case 'waitingForPredecessor':
    case 'creating':
      return state.error;
    default:
      return undefined;
  }
}
