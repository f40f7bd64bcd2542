import type { WirePod } from './kube/wire-types.js';
import type { ContainerStatus__Output } from '../generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../generated/vkcmd/runner/v1/Pod.js';

/**
 * The values of a kubelet's `container_state` label (kubecontainer.State):
 * created but never started, running, exited, or anything else.
 */
export type ContainerStateLabel = 'created' | 'running' | 'exited' | 'unknown';

export const CONTAINER_STATE_LABELS: readonly ContainerStateLabel[] = [
  'created',
  'running',
  'exited',
  'unknown',
];

/**
 * Where a runner container stands in the kubelet's terms. A container waiting
 * to restart (CrashLoopBackOff) has run and exited, as a runtime reports it;
 * one waiting that never ran is `created`. Pure.
 */
export function containerStateLabel(status: ContainerStatus__Output): ContainerStateLabel {
  const state = status.state;
  if (state?.running) return 'running';
  if (state?.terminated) return 'exited';
  if (state?.waiting) return status.restartCount > 0 || status.lastState?.terminated ? 'exited' : 'created';
  return 'unknown';
}

/**
 * `kubelet_running_containers{container_state}`: how many containers of the
 * runner's pods are in each state, init and ephemeral ones included, as the kubelet's
 * PLEG counts every container the runtime lists. Every label is present
 * (0 when none), so a series never disappears. Pure.
 */
export function containerStateCounts(pods: Iterable<Pod__Output>): Map<ContainerStateLabel, number> {
  const counts = new Map<ContainerStateLabel, number>(CONTAINER_STATE_LABELS.map((s) => [s, 0]));
  for (const pod of pods) {
    for (const status of [
      ...pod.initContainerStatuses,
      ...pod.containerStatuses,
      ...pod.ephemeralContainerStatuses,
    ]) {
      const label = containerStateLabel(status);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  return counts;
}

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

/**
 * Pods bound to the node by the phase the API records (`Pending` when none is
 * written yet; an unrecognised phase counts as `Unknown`). Every phase is
 * present. Pure.
 */
export function podPhaseCounts(pods: readonly WirePod[]): Map<PodPhase, number> {
  const counts = new Map<PodPhase, number>(POD_PHASES.map((p) => [p, 0]));
  for (const pod of pods) {
    const raw = pod.status?.phase ?? 'Pending';
    const phase: PodPhase = (POD_PHASES as readonly string[]).includes(raw) ? (raw as PodPhase) : 'Unknown';
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  return counts;
}

/** The kubelet's `operation_type` values for `kubelet_pod_worker_duration_seconds` that vk-cmd has. */
export type PodWorkerOperation = 'create' | 'update' | 'kill';

/**
 * What one pod sync does, in the kubelet's words: `kill` for a pod the API
 * deleted or is deleting, `create` while the runner does not hold it yet,
 * `update` for everything after. Pure.
 */
export function podWorkerOperation(
  apiPod: WirePod | undefined,
  runnerPod: Pod__Output | undefined,
): PodWorkerOperation {
  if (!apiPod || apiPod.metadata?.deletionTimestamp) return 'kill';
  return runnerPod ? 'update' : 'create';
}

/** Seconds until the walltime deadline, never negative; undefined without a walltime. Pure. */
export function walltimeRemainingSeconds(deadlineMs: number | undefined, nowMs: number): number | undefined {
  if (deadlineMs === undefined) return undefined;
  return Math.max(0, (deadlineMs - nowMs) / 1000);
}
