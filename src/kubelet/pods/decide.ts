import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { timeMs } from '../kube-time.js';
import { EVICTED_REASON } from '../eviction/local-storage-eviction.js';
import { createErrorEvent, RUNNER_LOST_POD_EVENT, skippedVolumeEvents } from './lifecycle-events.js';
import type { Decision, PodAction, PodInput, PodView } from './pod-actions.js';
import { portConflictEvent } from './port-conflicts.js';
import { freshEvents } from './fresh-events.js';
import { shownCreateError, type PodRecord, type PodState } from './pod-record.js';
import {
  allContainersRunning,
  apiShowsStarted,
  isTerminalPhase,
  type ContainerCreateError,
} from './pod-status.js';
import { emit, go, stay, writeStatus } from './decision-builders.js';
import { apiObjectGone, deletionRequested } from './deletion-decisions.js';
import { ephemeralCreatedEvent, ephemeralFailed, ephemeralToStart } from './ephemeral-decisions.js';
import { evictedPod } from './evicted-pod.js';

/**
 * The kubelet's per-pod lifecycle: from the record, what the kubelet observes
 * and why it runs (a sync or the result of an async action), the next record
 * and the actions to perform. Pure: no IO, no clock (view.nowMs), no awaits.
 * Nothing is created or reported lost while the link is not synced.
 */
export function decide(record: PodRecord, view: PodView, input: PodInput): Decision {
  switch (input.type) {
    case 'sync':
      return sync(record, view);
    case 'created':
      return {
        next: { ...record, state: { kind: 'running' }, runnerHistory: 'held', startLatencyPending: true },
        actions: [
          { type: 'resetRetryBackoff' },
          ...skippedVolumeEvents(input.skippedVolumes).map((event) => emit(input.pod, event)),
          ...(input.portConflicts ?? []).map((c) => emit(input.pod, portConflictEvent(input.pod, c))),
          ...(input.limitEvents ?? []).map((event) => emit(input.pod, event)),
          { type: 'resync' },
        ],
      };
    case 'createWaiting':
      return go(record, { kind: 'waitingForConfig', error: input.error }, [
        ...createError(record, input.pod, input.error),
        { type: 'scheduleRetry' },
      ]);
    case 'createAborted':
      return go(record, notCreated(shownCreateError(record.state)), [{ type: 'resync' }]);
    case 'createFailed': {
      if (input.refusal === undefined) {
        return go(record, notCreated(shownCreateError(record.state)), failed(input.error));
      }
      const error: ContainerCreateError = {
        reason: 'CreateContainerError',
        message: input.refusal,
        containers: [],
      };
      return go(record, { kind: 'waitingForConfig', error }, [
        ...createError(record, input.pod, error),
        ...failed(input.error),
      ]);
    }
    case 'evict':
      return evict(record, view, input.message);
    case 'runnerDeleteSent': {
      // The status follows the delete (the runner's reply may already show it stopping).
      const pod = view.apiPod;
      const actions = pod ? [writeStatus(record, pod, view.runnerPod)] : [];
      return go(record, { kind: 'terminatingInRunner' }, actions);
    }
    case 'apiDeleted':
      return { next: record, actions: [] };
    case 'runnerDeleteFailed':
    case 'apiDeleteFailed':
      return go(record, { kind: 'terminating' }, failed(input.error));
    case 'ephemeralAdded':
      return {
        next: { ...record, ephemeralRequested: new Set([...record.ephemeralRequested, input.container]) },
        actions: [emit(input.pod, ephemeralCreatedEvent(input.container)), { type: 'resync' }],
      };
    case 'ephemeralFailed':
      return ephemeralFailed(record, input);
  }
}

function sync(record: PodRecord, view: PodView): Decision {
  if (record.state.kind === 'gone') return stay(record);
  // Syncs of a pod are serialised, so a sync never meets a create in flight: `creating`
  // here means its result never came back (the sync threw), and the pod counts as not created.
  const pod = view.apiPod;
  if (!pod) return apiObjectGone(record, view);
  if (pod.metadata?.deletionTimestamp) return deletionRequested(record, view, pod);
  return podWanted(record, view, pod);
}

/** The pod is bound here and not being deleted: mirror it, report it lost, or create it. */
function podWanted(record: PodRecord, view: PodView, pod: WirePod): Decision {
  const runnerPod = view.runnerPod;
  const evicted = record.evicted !== undefined ? evictedPod(record, view, pod) : undefined;
  if (evicted) return evicted;
  if (!runnerPod && isTerminalPhase(pod)) return go(record, { kind: 'finished' });
  if (!view.linkSynced) return stay(record);
  if (runnerPod) return mirror(record, view, pod, runnerPod);
  if (record.runnerHistory !== 'never' || apiShowsStarted(pod)) return reportLost(record, pod);
  const error = shownCreateError(record.state);
  if (hasSameNamePredecessor(record, view.runnerPods)) {
    return go(record, { kind: 'waitingForPredecessor', error });
  }
  if (view.retryPending) return go(record, notCreated(error));
  return go(record, { kind: 'creating', error }, [{ type: 'createInRunner', pod }]);
}

/** The runner holds the pod: its status, the container events not emitted yet and the start latency. */
function mirror(record: PodRecord, view: PodView, pod: WirePod, runnerPod: Pod__Output): Decision {
  const lost = record.runnerHistory === 'lost';
  const fresh = freshEvents(record, pod, runnerPod);
  const actions: PodAction[] = [writeStatus(record, pod, runnerPod), ...fresh.actions];
  let startLatencyPending = record.startLatencyPending;
  if (startLatencyPending && allContainersRunning(pod, runnerPod)) {
    startLatencyPending = false;
    const createdMs = timeMs(pod.metadata?.creationTimestamp);
    if (createdMs !== undefined) {
      actions.push({ type: 'observeStartLatency', seconds: Math.max(0, view.nowMs - createdMs) / 1000 });
    }
  }
  // `kubectl debug` added a container: start it in the running pod (one per decision: it is async).
  const ephemeral = lost || runnerPod.deleting ? undefined : ephemeralToStart(record, pod, runnerPod);
  if (ephemeral) actions.push({ type: 'addEphemeralContainer', pod, container: ephemeral });
  return {
    next: {
      ...fresh.record,
      state: lost ? { kind: 'lost' } : { kind: 'running' },
      runnerHistory: lost ? 'lost' : 'held',
      startLatencyPending,
    },
    actions,
  };
}

/** The runner lost a pod that had started: Failed, never run again; warned about once. */
function reportLost(record: PodRecord, pod: WirePod): Decision {
  const first: PodAction[] =
    record.runnerHistory === 'lost'
      ? []
      : [
          {
            type: 'log',
            level: 'warn',
            message: 'Runner lost a started pod; reporting it Failed',
            fields: {},
          },
          emit(pod, RUNNER_LOST_POD_EVENT),
        ];
  const next: PodRecord = { ...record, state: { kind: 'lost' }, runnerHistory: 'lost' };
  return { next, actions: [...first, writeStatus(next, pod, undefined)] };
}

/** The pod's containers cannot be created yet: the reason on the pod, logged and announced when it changes. */
function createError(record: PodRecord, pod: WirePod, error: ContainerCreateError): PodAction[] {
  const announce: PodAction[] =
    shownCreateError(record.state)?.message === error.message
      ? []
      : [
          {
            type: 'log',
            level: 'info',
            message: 'Cannot create pod yet',
            fields: { reason: error.reason ?? 'CreateContainerConfigError', err: error.message },
          },
          emit(pod, createErrorEvent(pod, error)),
        ];
  return [...announce, { ...writeStatus(record, pod, undefined), configError: error }];
}

function failed(error: unknown): PodAction[] {
  return [
    { type: 'log', level: 'warn', message: 'Pod sync failed', fields: { err: error } },
    { type: 'scheduleRetry' },
  ];
}

/** Not created yet: waiting for config while a create error is shown, new otherwise. */
function notCreated(error: ContainerCreateError | undefined): PodState {
  return error ? { kind: 'waitingForConfig', error } : { kind: 'new' };
}

/** A runner pod with the same namespace and name but another UID (its directory is still in use). */
export function hasSameNamePredecessor(
  record: PodRecord,
  runnerPods: ReadonlyMap<string, Pod__Output>,
): boolean {
  for (const p of runnerPods.values()) {
    if (p.uid !== record.uid && p.namespace === record.namespace && p.name === record.name) return true;
  }
  return false;
}

/**
 * The eviction manager evicts a running pod, as the kubelet's evictPod:
 * an Evicted warning, the status Failed with reason Evicted, then its
 * containers are stopped with a 1 s grace period. A pod that is not
 * running here, already terminal, being deleted or evicted is left alone.
 */
function evict(record: PodRecord, view: PodView, message: string): Decision {
  const pod = view.apiPod;
  const runnerPod = view.runnerPod;
  if (
    !pod ||
    !runnerPod ||
    runnerPod.deleting ||
    record.evicted !== undefined ||
    pod.metadata?.deletionTimestamp ||
    isTerminalPhase(pod)
  ) {
    return sync(record, view);
  }
  const next = sync({ ...record, evicted: message }, view);
  return {
    next: next.next,
    actions: [
      { type: 'log', level: 'info', message: 'Evicting pod', fields: { message } },
      emit(pod, { type: 'Warning', reason: EVICTED_REASON, message }),
      ...next.actions,
    ],
  };
}
