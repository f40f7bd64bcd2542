import type { WireContainerStatus, WirePod, WirePodCondition, WireTime } from '../kube/wire-types.js';
import { hasAnyRegularContainerStarted, isRestartableInit, type PodPhase } from './pod-phase.js';
import { byName } from './by-name.js';

/** A condition without its times; times are added by withTransitionTimes. */
export type BareCondition = Pick<WirePodCondition, 'type' | 'status' | 'reason' | 'message'>;

/** The pod condition types this kubelet writes (PodScheduled only when missing). */
export const OWN_POD_CONDITIONS = [
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
] as const;

// Go's %s of a []string.
const goList = (names: string[]): string => `[${names.join(' ')}]`;

function cond(type: string, status: 'True' | 'False', reason?: string, message?: string): BareCondition {
  const c: BareCondition = { type, status };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/**
 * GeneratePodInitializedCondition (1.33): a regular init container is
 * initialized once ready, a sidecar once started.
 */
export function initializedCondition(
  pod: WirePod,
  statuses: readonly WireContainerStatus[],
  phase: PodPhase,
): BareCondition {
  const spec = pod.spec!;
  const unknown: string[] = [];
  const incomplete: string[] = [];
  const find = byName(statuses);
  for (const c of spec.initContainers ?? []) {
    const s = find(c.name);
    if (!s) unknown.push(c.name);
    else if (!(isRestartableInit(c) ? s.started === true : s.ready)) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('Initialized', 'True', 'PodCompleted');
  if (hasAnyRegularContainerStarted(spec, statuses)) return cond('Initialized', 'True');
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length > 0) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length > 0)
    return cond('Initialized', 'False', 'ContainersNotInitialized', messages.join(', '));
  return cond('Initialized', 'True');
}

/** GenerateContainersReadyCondition. */
export function containersReadyCondition(
  pod: WirePod,
  statuses: readonly WireContainerStatus[],
  phase: PodPhase,
): BareCondition {
  const spec = pod.spec!;
  const unknown: string[] = [];
  const unready: string[] = [];
  const find = byName(statuses);
  const check = (name: string): void => {
    const s = find(name);
    if (!s) unknown.push(name);
    else if (!s.ready) unready.push(name);
  };
  for (const c of spec.initContainers ?? []) if (isRestartableInit(c)) check(c.name);
  for (const c of spec.containers) check(c.name);
  if (phase === 'Succeeded' && unknown.length === 0) return cond('ContainersReady', 'False', 'PodCompleted');
  if (phase === 'Failed') return cond('ContainersReady', 'False', 'PodFailed');
  const messages: string[] = [];
  if (unknown.length > 0) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length > 0) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length > 0) return cond('ContainersReady', 'False', 'ContainersNotReady', messages.join(', '));
  return cond('ContainersReady', 'True');
}

/** GeneratePodReadyCondition, readiness gates included. */
export function readyCondition(
  pod: WirePod,
  existing: readonly WirePodCondition[],
  statuses: readonly WireContainerStatus[],
  phase: PodPhase,
): BareCondition {
  const containersReady = containersReadyCondition(pod, statuses, phase);
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const messages: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = existing.find((x) => x.type === gate.conditionType);
    if (!c)
      messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') {
      messages.push(
        `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`,
      );
    }
  }
  if (messages.length > 0) return cond('Ready', 'False', 'ReadinessGatesNotReady', messages.join(', '));
  return cond('Ready', 'True');
}

/** Keeps lastTransitionTime from the old condition of the same type when its status did not change. */
export function withTransitionTimes(
  conditions: readonly BareCondition[],
  old: readonly WirePodCondition[],
  now: WireTime,
): WirePodCondition[] {
  return conditions.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    const keep = prev && prev.status === c.status && prev.lastTransitionTime !== undefined;
    const lastTransitionTime = keep ? prev.lastTransitionTime : now;
    return { ...c, lastTransitionTime };
  });
}
