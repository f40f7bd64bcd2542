import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodEvent } from './event-recorder.js';
import { timeMs } from '../kube-time.js';
import { containerEvents } from './container-events.js';
import {
  createErrorEvent,
  killingEvents,
  RUNNER_LOST_POD_EVENT,
  skippedVolumeEvents,
} from './lifecycle-events.js';
import type { Decision, PodAction, PodInput, PodView, WriteStatusAction } from './pod-actions.js';
import { shownCreateError, type PodRecord, type PodState } from './pod-record.js';
import {
  allContainersRunning,
  apiShowsStarted,
  isTerminalPhase,
  type ContainerCreateError,
} from './pod-status.js';

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

/** Starting an ephemeral container failed: retried later when it may work, else given up with a warning. */
function ephemeralFailed(record: PodRecord, input: Extract<PodInput, { type: 'ephemeralFailed' }>): Decision {
  const log: PodAction = {
    type: 'log',
    level: 'warn',
    message: 'Cannot start ephemeral container',
    fields: { container: input.container, err: input.error },
  };
  if (input.retry) return { next: record, actions: [log, { type: 'scheduleRetry' }] };
  const message = input.error instanceof Error ? input.error.message : String(input.error);
  return {
    next: { ...record, ephemeralRequested: new Set([...record.ephemeralRequested, input.container]) },
    actions: [
      log,
      emit(input.pod, {
        type: 'Warning',
        reason: 'Failed',
        message: `Error: ${message}`,
        fieldPath: `spec.ephemeralContainers{${input.container}}`,
      }),
    ],
  };
}

function ephemeralCreatedEvent(container: string): PodEvent {
  return {
    type: 'Normal',
    reason: 'Created',
    message: `Created container ${container}`,
    fieldPath: `spec.ephemeralContainers{${container}}`,
  };
}

/**
 * The first ephemeral container of the spec the runner does not report and
 * this process has not asked for yet (the API only ever adds them).
 */
export function ephemeralToStart(
  record: PodRecord,
  pod: WirePod,
  runnerPod: Pod__Output,
): string | undefined {
  const reported = new Set(runnerPod.ephemeralContainerStatuses.map((s) => s.name));
  return (pod.spec?.ephemeralContainers ?? [])
    .map((c) => c.name)
    .find((name) => !reported.has(name) && !record.ephemeralRequested.has(name));
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

/** The API no longer has the pod (force-deleted, replaced, or never had it): stop it in the runner, then forget it. */
function apiObjectGone(record: PodRecord, view: PodView): Decision {
  if (!view.linkSynced) return waitToTerminate(record);
  const runnerPod = view.runnerPod;
  if (!runnerPod) return go(record, { kind: 'gone' }, [{ type: 'forget' }]);
  if (runnerPod.deleting || stopSent(record.state)) return go(record, { kind: 'terminatingInRunner' });
  const last = view.lastApiPod;
  const gracePeriodSeconds =
    last?.metadata?.deletionGracePeriodSeconds ?? last?.spec?.terminationGracePeriodSeconds;
  return go(record, { kind: 'terminatingInRunner' }, [{ type: 'deleteInRunner', gracePeriodSeconds }]);
}

/**
 * The API shows a deletionTimestamp: stop the pod in the runner with the
 * grace period; once the runner has forgotten it, write its final status and
 * delete the object.
 */
function deletionRequested(record: PodRecord, view: PodView, pod: WirePod): Decision {
  const runnerPod = view.runnerPod;
  if (runnerPod) {
    if (!view.linkSynced) return waitToTerminate(record);
    if (stopSent(record.state) || runnerPod.deleting) {
      return go(record, { kind: 'terminatingInRunner' }, [writeStatus(record, pod, runnerPod)]);
    }
    return go(record, { kind: 'terminatingInRunner' }, [
      ...killingEvents(pod, runnerPod).map((event) => emit(pod, event)),
      { type: 'deleteInRunner', gracePeriodSeconds: pod.metadata?.deletionGracePeriodSeconds },
    ]);
  }
  // The runner does not hold it. If it ran and the link is down, the runner may still: wait.
  if (!view.linkSynced && (record.runnerHistory !== 'never' || apiShowsStarted(pod))) {
    return waitToTerminate(record);
  }
  if (record.state.kind === 'deletingApiObject') return stay(record);
  const final: PodAction[] = view.runnerFinal
    ? [{ ...writeStatus(record, pod, view.runnerFinal), terminal: true, wait: true }]
    : [];
  return go(record, { kind: 'deletingApiObject' }, [...final, { type: 'deleteApiObject' }]);
}

/** The pod is bound here and not being deleted: mirror it, report it lost, or create it. */
function podWanted(record: PodRecord, view: PodView, pod: WirePod): Decision {
  const runnerPod = view.runnerPod;
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
  const actions: PodAction[] = [writeStatus(record, pod, runnerPod)];
  const fresh = new Set<string>();
  for (const { key, event } of containerEvents(pod, runnerPod)) {
    if (record.eventKeys.has(key) || fresh.has(key)) continue;
    fresh.add(key);
    actions.push(emit(pod, event));
  }
  const eventKeys = fresh.size > 0 ? new Set([...record.eventKeys, ...fresh]) : record.eventKeys;
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
      ...record,
      state: lost ? { kind: 'lost' } : { kind: 'running' },
      runnerHistory: lost ? 'lost' : 'held',
      eventKeys,
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

/** Deletion requested but nothing can be done yet; a state that already says what it waits for is kept. */
function waitToTerminate(record: PodRecord): Decision {
  return stopSent(record.state) ? stay(record) : go(record, { kind: 'terminating' });
}

/** DeletePod was accepted earlier (the API delete follows only once the runner forgot the pod). */
function stopSent(state: PodState): boolean {
  return state.kind === 'terminatingInRunner' || state.kind === 'deletingApiObject';
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

function writeStatus(record: PodRecord, pod: WirePod, runnerPod: Pod__Output | undefined): WriteStatusAction {
  return {
    type: 'writeStatus',
    pod,
    runnerPod,
    configError: undefined,
    lost: record.runnerHistory === 'lost',
    terminal: false,
    wait: false,
  };
}

function emit(pod: WirePod, event: PodEvent): PodAction {
  return { type: 'emitEvent', pod, event };
}

function go(record: PodRecord, state: PodState, actions: PodAction[] = []): Decision {
  return { next: { ...record, state }, actions };
}

function stay(record: PodRecord): Decision {
  return { next: record, actions: [] };
}
