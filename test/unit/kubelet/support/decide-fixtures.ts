import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import { rfc3339 } from '../../../../src/kubelet/kube-time.js';
import { decide } from '../../../../src/kubelet/pods/decide.js';
import type { Decision, PodAction, PodInput, PodView } from '../../../../src/kubelet/pods/pod-actions.js';
import { ASYNC_ACTIONS } from '../../../../src/kubelet/pods/pod-actions.js';
import {
  newPodRecord,
  type PodRecord,
  type PodState,
  type PodStateKind,
} from '../../../../src/kubelet/pods/pod-record.js';
import { apiPod, cs, runnerPod, running, T0, terminated, waiting } from './pod-fixtures.js';

/** Fixtures and a table runner for decide(): pods in every situation the lifecycle meets. */
export const NOW = T0 + 9_500;
export const SYNC: PodInput = { type: 'sync' };
export const CONFIG_ERROR = { message: 'configmap "cfg" not found', containers: [] };

/** A pending pod bound to the node (uid u, ns/p), created at T0. */
export function pendingPod(): WirePod {
  const pod = apiPod();
  pod.metadata!.creationTimestamp = rfc3339(T0);
  pod.spec!.terminationGracePeriodSeconds = 20;
  return pod;
}

/** The pod with a deletionTimestamp and the given grace period. */
export function deletingPod(gracePeriodSeconds = 7, base = pendingPod()): WirePod {
  return {
    ...base,
    metadata: {
      ...base.metadata,
      deletionTimestamp: rfc3339(T0),
      deletionGracePeriodSeconds: gracePeriodSeconds,
    },
  };
}

/** The API shows a container that ran (a kubelet before this one started it). */
export function startedPod(): WirePod {
  const pod = pendingPod();
  pod.status = {
    phase: 'Running',
    containerStatuses: [
      { name: 'c1', image: 'img', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
    ],
  };
  return pod;
}

export function terminalPod(phase: 'Succeeded' | 'Failed' = 'Succeeded'): WirePod {
  const pod = startedPod();
  pod.status = { ...pod.status, phase };
  return pod;
}

export const runningInRunner = (): Pod__Output => runnerPod([cs('c1', running())]);
export const startingInRunner = (): Pod__Output => runnerPod([cs('c1', waiting('ContainerCreating'))]);
export const exitedInRunner = (): Pod__Output => runnerPod([cs('c1', terminated(143, 'Error'))]);
export const deletingInRunner = (): Pod__Output => ({ ...runningInRunner(), deleting: true });
/** A pod of the same namespace and name with another UID, still in the runner. */
export const predecessor = (): Pod__Output => ({ ...runningInRunner(), uid: 'u0' });

export function record(state: PodState['kind'] | PodState, extra: Partial<PodRecord> = {}): PodRecord {
  const s = typeof state === 'string' ? ({ kind: state } as PodState) : state;
  return { ...newPodRecord('u', 'ns', 'p', T0, s), ...extra };
}

/**
 * The view decide() gets: by default a pending pod, nothing in the runner,
 * the link synced. `others` are further runner pods (a predecessor).
 */
export function view(over: Partial<PodView> & { others?: Pod__Output[] } = {}): PodView {
  const { others = [], ...rest } = over;
  const apiPod = 'apiPod' in rest ? rest.apiPod : pendingPod();
  const runner = rest.runnerPod;
  const runnerPods = new Map<string, Pod__Output>(
    [...others, ...(runner ? [runner] : [])].map((p) => [p.uid, p]),
  );
  return {
    apiPod,
    lastApiPod: apiPod,
    runnerPod: undefined,
    runnerFinal: undefined,
    runnerPods,
    linkSynced: true,
    retryPending: false,
    nowMs: NOW,
    ...rest,
  };
}

/** One action in a line, e.g. `deleteInRunner(7)` or `writeStatus(final,terminal,wait)`. */
export function summarize(action: PodAction, v: PodView): string {
  switch (action.type) {
    case 'deleteInRunner':
      return `deleteInRunner(${action.gracePeriodSeconds ?? 'default'})`;
    case 'writeStatus': {
      const source =
        action.runnerPod === undefined
          ? 'none'
          : action.runnerPod === v.runnerFinal
            ? 'final'
            : action.runnerPod === v.runnerPod
              ? 'runner'
              : 'other';
      const flags = [
        source,
        action.configError ? (action.configError.reason ?? 'CreateContainerConfigError') : '',
        action.lost ? 'lost' : '',
        action.terminal ? 'terminal' : '',
        action.wait ? 'wait' : '',
      ];
      return `writeStatus(${flags.filter(Boolean).join(',')})`;
    }
    case 'emitEvent':
      return `event(${action.event.reason})`;
    case 'observeStartLatency':
      return `startLatency(${action.seconds})`;
    case 'log':
      return `${action.level}(${action.message})`;
    default:
      return action.type;
  }
}

export interface Case {
  name: string;
  from: PodRecord;
  view?: Parameters<typeof view>[0];
  input?: PodInput;
  next: PodStateKind;
  actions: string[];
  /** Further checks on the decision. */
  then?: (d: Decision, v: PodView) => void;
}

/** Every (from, to) pair the tables cover, to check that each state is entered and left. */
export const covered: Array<[PodStateKind, PodStateKind]> = [];

/** Registers one `it` per case: decide() from `from` with `view` and `input`. */
export function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const v = view(c.view);
      const before = structuredClone({ record: c.from, view: v });
      const d = decide(c.from, v, c.input ?? SYNC);
      expect(d.next.state.kind, 'next state').to.equal(c.next);
      expect(d.actions.map((a) => summarize(a, v))).to.deep.equal(c.actions);
      const asyncAt = d.actions.findIndex((a) => ASYNC_ACTIONS.has(a.type));
      if (asyncAt >= 0) expect(asyncAt, 'an async action is the last').to.equal(d.actions.length - 1);
      expect({ record: c.from, view: v }, 'decide() changes none of its inputs').to.deep.equal(before);
      c.then?.(d, v);
    });
    covered.push([c.from.state.kind, c.next]);
  }
}
