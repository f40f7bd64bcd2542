import type {
  WireContainer,
  WireContainerStatus,
  WirePod,
  WirePodCondition,
  WirePodStatus,
} from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { rfc3339 } from '../kube-time.js';
import {
  lostContainerStatus,
  toKubeContainerStatus,
  waitingContainerStatus,
  type ContainerKind,
} from './container-statuses.js';
import {
  containersReadyCondition,
  initializedCondition,
  readyCondition,
  withTransitionTimes,
  type BareCondition,
} from './pod-conditions.js';
import { getPhase, hasAnyActiveRegularContainerStarted, type PodPhase } from './pod-phase.js';
import { qosClass } from './qos-class.js';
import { byName } from './by-name.js';

/** Everything the status of one pod is computed from. */
export interface PodStatusInputs {
  /** The API object: spec and the status last written. */
  pod: WirePod;
  /** The runner's view, or undefined when the runner does not hold the pod. */
  runnerPod: Pod__Output | undefined;
  hostIp: string;
  nowMs: number;
  /** When the kubelet first handled the pod; used if the API has no startTime yet. */
  firstSeenMs: number;
  /** Compute the phase as for restartPolicy Never. */
  ignoreRestartPolicy: boolean;
  /** Why containers cannot be created: the message and the containers it applies to (empty = all). */
  configError?: ContainerCreateError;
  /** The runner lost a pod that had started; it is reported Failed and never re-run. */
  lost?: boolean;
  /** The pod is being deleted and nothing will restart (kubelet's podIsTerminal). */
  terminal?: boolean;
  /** The kubelet evicted the pod: Failed with reason Evicted and this message. */
  evicted?: string | undefined;
}

/** A container that cannot be created; reason defaults to CreateContainerConfigError. */
export interface ContainerCreateError {
  reason?: 'CreateContainerConfigError' | 'CreateContainerError';
  message: string;
  containers: readonly string[];
}

export const RUNNER_LOST_POD_REASON = 'RunnerLostPod';
/** The status reason of a pod the kubelet evicted (eviction.Reason). */
const EVICTED = 'Evicted';

/**
 * The pod status as the kubelet's generateAPIPodStatus would write it. Pure.
 * A terminal phase already in the API is never reverted.
 */
export function computePodStatus(inputs: PodStatusInputs): WirePodStatus {
  const { pod, runnerPod } = inputs;
  const spec = pod.spec!;
  const old = pod.status ?? {};
  const ident = { namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
  const hasInit = (spec.initContainers ?? []).length > 0;
  const defaultReason = hasInit ? 'PodInitializing' : 'ContainerCreating';

  const convert = (
    kind: ContainerKind,
    list: typeof spec.containers,
    runnerList: Pod__Output['containerStatuses'] | undefined,
    oldList: WireContainerStatus[] | undefined,
  ) => {
    const runnerStatus = byName(runnerList);
    const oldStatus = byName(oldList);
    return list.map((c) => {
      if (inputs.lost) return lostContainerStatus(c, oldStatus(c.name), inputs.nowMs);
      const r = runnerStatus(c.name);
      if (r && r.state?.state) return toKubeContainerStatus(ident, c, r, kind);
      const err = inputs.configError;
      if (err && (err.containers.length === 0 || err.containers.includes(c.name))) {
        return waitingContainerStatus(c, err.reason ?? 'CreateContainerConfigError', err.message);
      }
      return waitingContainerStatus(c, defaultReason);
    });
  };

  const containerStatuses = convert(
    'container',
    spec.containers,
    runnerPod?.containerStatuses,
    old.containerStatuses,
  ).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const initContainerStatuses = convert(
    'init',
    spec.initContainers ?? [],
    runnerPod?.initContainerStatuses,
    old.initContainerStatuses,
  );

  const restartPolicy = inputs.ignoreRestartPolicy ? 'Never' : (spec.restartPolicy ?? 'Always');
  const all = [...containerStatuses, ...initContainerStatuses];
  const podHasInitialized = hasAnyActiveRegularContainerStarted(spec, runnerPod);
  let phase: PodPhase =
    inputs.lost || inputs.evicted !== undefined
      ? 'Failed'
      : getPhase(spec, restartPolicy, all, inputs.terminal ?? false, podHasInitialized);
  const oldPhase = old.phase as PodPhase | undefined;
  if ((oldPhase === 'Succeeded' || oldPhase === 'Failed') && phase !== oldPhase) phase = oldPhase;

  const now = rfc3339(inputs.nowMs);
  const oldConditions: WirePodCondition[] = old.conditions ?? [];
  const bare: BareCondition[] = [
    {
      type: 'PodReadyToStartContainers',
      status: runnerPod && !inputs.lost && phase !== 'Succeeded' && phase !== 'Failed' ? 'True' : 'False',
    },
    initializedCondition(pod, all, phase),
    readyCondition(pod, oldConditions, all, phase),
    containersReadyCondition(pod, all, phase),
  ];
  if (!oldConditions.some((c) => c.type === 'PodScheduled'))
    bare.push({ type: 'PodScheduled', status: 'True' });

  const status: WirePodStatus = {
    phase,
    conditions: withTransitionTimes(bare, oldConditions, now),
    hostIP: inputs.hostIp,
    hostIPs: [{ ip: inputs.hostIp }],
    podIP: inputs.hostIp,
    podIPs: [{ ip: inputs.hostIp }],
    startTime: old.startTime ?? rfc3339(inputs.firstSeenMs),
    containerStatuses,
    qosClass: old.qosClass ?? qosClass(pod),
  };
  if (hasInit) status.initContainerStatuses = initContainerStatuses;
  const ephemeral = spec.ephemeralContainers ?? [];
  if (ephemeral.length > 0) {
    status.ephemeralContainerStatuses = ephemeral.map((c) => {
      const r = runnerPod?.ephemeralContainerStatuses.find((s) => s.name === c.name);
      const container = c as WireContainer;
      // Never ready: an ephemeral container takes no part in the pod's readiness.
      if (r && r.state?.state) return { ...toKubeContainerStatus(ident, container, r), ready: false };
      return waitingContainerStatus(container, 'ContainerCreating');
    });
  }
  if (
    inputs.evicted !== undefined &&
    oldPhase !== 'Succeeded' &&
    (oldPhase !== 'Failed' || old.reason === EVICTED)
  ) {
    status.reason = EVICTED;
    status.message = inputs.evicted;
  } else if (inputs.lost && phase !== oldPhase) {
    status.reason = RUNNER_LOST_POD_REASON;
    status.message =
      'The runner no longer holds this pod (its host may have restarted); it was not run again';
  } else if (phase === oldPhase) {
    // As generateAPIPodStatus: the reason and message belong to the phase, whoever wrote them.
    if (old.reason) status.reason = old.reason;
    if (old.message) status.message = old.message;
  }
  return status;
}

/** True when every container the runner reports for the pod is running (pod start latency). */
export function allContainersRunning(pod: WirePod, runnerPod: Pod__Output | undefined): boolean {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  // The first status of a name that runs, as a scan for one would find.
  const running = byName(runnerPod?.containerStatuses.filter((s) => s.state?.running));
  return (
    runnerPod !== undefined &&
    names.length > 0 &&
    names.every((n) => running(n)?.state?.running !== undefined)
  );
}

/** The API shows the pod started: a container that ran, or a terminal phase. Used to detect lost pods. */
export function apiShowsStarted(pod: WirePod): boolean {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.some(
    (s) =>
      s.state?.running !== undefined ||
      s.state?.terminated !== undefined ||
      s.lastState?.terminated !== undefined,
  );
}

export function isTerminalPhase(pod: WirePod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
