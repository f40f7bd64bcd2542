import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { containerFieldPath, type PodEvent } from './event-recorder.js';
import { RUNNER_LOST_POD_REASON, type ContainerCreateError } from './pod-status.js';

/** Kubelet-style Killing events for the containers a delete will stop (those running). Pure. */
export function killingEvents(pod: WirePod, runnerPod: Pod__Output): PodEvent[] {
  return [...runnerPod.initContainerStatuses, ...runnerPod.containerStatuses]
    .filter((s) => s.state?.running)
    .map((s) => ({
      type: 'Normal',
      reason: 'Killing',
      message: `Stopping container ${s.name}`,
      fieldPath: containerFieldPath(pod, s.name),
    }));
}

/** The warning on a started pod the runner lost. */
export const RUNNER_LOST_POD_EVENT: PodEvent = {
  type: 'Warning',
  reason: RUNNER_LOST_POD_REASON,
  message: 'The runner no longer holds this pod; it is not run again',
};

/** The Failed warning on a pod whose containers cannot be created yet, on its first named container. */
export function createErrorEvent(pod: WirePod, error: ContainerCreateError): PodEvent {
  const container = error.containers[0] ?? pod.spec?.containers[0]?.name;
  return {
    type: 'Warning',
    reason: 'Failed',
    message: `Error: ${error.message}`,
    ...(container ? { fieldPath: containerFieldPath(pod, container) } : {}),
  };
}

/** A FailedMount warning per volume the pod runs without. */
export function skippedVolumeEvents(skipped: ReadonlyArray<{ name: string; kind: string }>): PodEvent[] {
  return skipped.map((v) => ({
    type: 'Warning',
    reason: 'FailedMount',
    message: `Volume "${v.name}" (${v.kind}) is not supported by vk-cmd; the pod runs without it`,
  }));
}
