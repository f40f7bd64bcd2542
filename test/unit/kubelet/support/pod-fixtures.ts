import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import type { ContainerState__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerState.js';
import type { ContainerStatus__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import { computePodStatus, type PodStatusInputs } from '../../../../src/kubelet/pods/pod-status.js';

/** Fixtures for pod status tests: runner states, runner pods and API pods. */
export const T0 = Date.parse('2025-01-02T03:04:05Z');

export const running = (): ContainerState__Output => ({ state: 'running', running: { startedAtMs: T0 } });
export const terminated = (exitCode: number, reason: string, message = ''): ContainerState__Output => ({
  state: 'terminated',
  terminated: { exitCode, signal: 0, reason, message, startedAtMs: T0, finishedAtMs: T0 + 5000 },
});
export const waiting = (reason: string, message = ''): ContainerState__Output => ({
  state: 'waiting',
  waiting: { reason, message },
});

export function cs(
  name: string,
  state: ContainerState__Output,
  extra: Partial<ContainerStatus__Output> = {},
): ContainerStatus__Output {
  return {
    name,
    state,
    lastState: null,
    restartCount: 0,
    pgid: 100,
    image: 'img',
    ...extra,
  };
}

export function apiPod(restartPolicy = 'Never', init = false): WirePod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      restartPolicy,
      ...(init ? { initContainers: [{ name: 'init', image: 'i' }] } : {}),
      containers: [{ name: 'c1', image: 'img' }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
}

export function runnerPod(
  containers: ContainerStatus__Output[],
  init: ContainerStatus__Output[] = [],
): Pod__Output {
  return {
    uid: 'u',
    namespace: 'ns',
    name: 'p',
    containerStatuses: containers,
    initContainerStatuses: init,
    ephemeralContainerStatuses: [],
    createdAtMs: T0,
    deleting: false,
    revision: 1,
    restartPolicy: 'Never',
  };
}

export function status(overrides: Partial<PodStatusInputs>) {
  return computePodStatus({
    pod: apiPod(),
    runnerPod: undefined,
    hostIp: '10.0.0.1',
    nowMs: T0 + 10_000,
    firstSeenMs: T0,
    ignoreRestartPolicy: false,
    ...overrides,
  });
}

export const cond = (s: ReturnType<typeof status>, type: string) =>
  s.conditions?.find((c) => c.type === type);

/** base64, as the API carries Secret data and binaryData. */
export const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** What building a CreatePod request needs besides the pod: node addresses, allocatable, policy. */
export const specContext = {
  hostIp: '10.0.0.1',
  podIp: '10.0.0.1',
  allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
  ignoreRestartPolicy: false,
};
