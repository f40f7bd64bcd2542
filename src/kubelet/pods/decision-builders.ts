import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodEvent } from './event-recorder.js';
import type { Decision, PodAction, WriteStatusAction } from './pod-actions.js';
import type { PodRecord, PodState } from './pod-record.js';

/** The building blocks every part of `decide` returns its decisions with; pure, like decide. */

/** Moves the record to `state` and performs `actions`. */
export function go(record: PodRecord, state: PodState, actions: PodAction[] = []): Decision {
  return { next: { ...record, state }, actions };
}

/** Nothing changes and nothing is done. */
export function stay(record: PodRecord): Decision {
  return { next: record, actions: [] };
}

export function emit(pod: WirePod, event: PodEvent): PodAction {
  return { type: 'emitEvent', pod, event };
}

/** The status write for the pod as the runner shows it (or not at all: undefined). */
export function writeStatus(
  record: PodRecord,
  pod: WirePod,
  runnerPod: Pod__Output | undefined,
): WriteStatusAction {
  return {
    type: 'writeStatus',
    pod,
    runnerPod,
    configError: undefined,
    lost: record.runnerHistory === 'lost',
    terminal: false,
    wait: false,
    ...(record.evicted !== undefined ? { evicted: record.evicted } : {}),
  };
}

/** DeletePod was accepted earlier (the API delete follows only once the runner forgot the pod). */
export function stopSent(state: PodState): boolean {
  return state.kind === 'terminatingInRunner' || state.kind === 'deletingApiObject';
}

/** Deletion requested but nothing can be done yet; a state that already says what it waits for is kept. */
export function waitToTerminate(record: PodRecord): Decision {
  return stopSent(record.state) ? stay(record) : go(record, { kind: 'terminating' });
}
