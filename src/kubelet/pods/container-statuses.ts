import type {
  WireContainer,
  WireContainerState,
  WireContainerStateTerminated,
  WireContainerStatus,
  WireTime,
} from '../kube/wire-types.js';
import type { ContainerState__Output } from '../../generated/vkcmd/runner/v1/ContainerState.js';
import type { ContainerStatus__Output } from '../../generated/vkcmd/runner/v1/ContainerStatus.js';
import { rfc3339 } from '../kube-time.js';
import { isRestartableInit } from './pod-phase.js';

/** Identifies the pod a container belongs to, for container IDs. */
export interface PodIdentity {
  namespace: string;
  name: string;
}

/** `vk-cmd://<ns>_<pod>_<container>_<pgid>`; the pgid lets an operator find the process group. */
export function containerId(pod: PodIdentity, container: string, pgid: number): string {
  return `vk-cmd://${pod.namespace}_${pod.name}_${container}_${pgid}`;
}

/** The imageID: vk-cmd has no image store, so it names the script reference. */
export function imageId(image: string): string {
  return `vk-cmd://${image}`;
}

const time = (ms: number): WireTime | undefined => (ms > 0 ? rfc3339(ms) : undefined);

/** A runner container state in Kubernetes form (times RFC 3339; empty strings omitted). */
export function toKubeState(
  state: ContainerState__Output | null | undefined,
  id?: string,
): WireContainerState {
  if (!state) return {};
  if (state.running) {
    return { running: { startedAt: time(state.running.startedAtMs) } };
  }
  if (state.terminated) {
    const t = state.terminated;
    const out: WireContainerStateTerminated = { exitCode: t.exitCode };
    if (t.signal) out.signal = t.signal;
    if (t.reason) out.reason = t.reason;
    if (t.message) out.message = t.message;
    if (t.startedAtMs > 0) out.startedAt = time(t.startedAtMs);
    if (t.finishedAtMs > 0) out.finishedAt = time(t.finishedAtMs);
    if (id) out.containerID = id;
    return { terminated: out };
  }
  if (state.waiting) {
    const out: Record<string, string> = {};
    if (state.waiting.reason) out['reason'] = state.waiting.reason;
    if (state.waiting.message) out['message'] = state.waiting.message;
    return { waiting: out };
  }
  return {};
}

/** Which list of the pod spec a container belongs to. */
export type ContainerKind = 'container' | 'init';

/**
 * A container the runner reports, as a Kubernetes ContainerStatus with
 * `started` and `ready` set as the prober manager's UpdatePodStatus sets them
 * when no probes run: started while running; ready while running, except a
 * regular init container, which is ready once it terminated with exit code 0.
 */
export function toKubeContainerStatus(
  pod: PodIdentity,
  spec: WireContainer,
  runner: ContainerStatus__Output,
  kind: ContainerKind = 'container',
): WireContainerStatus {
  const id = runner.pgid > 0 ? containerId(pod, spec.name, runner.pgid) : undefined;
  const running = runner.state?.running !== undefined && runner.state?.running !== null;
  const regularInit = kind === 'init' && !isRestartableInit(spec);
  const ready = regularInit ? runner.state?.terminated?.exitCode === 0 : running;
  const status: WireContainerStatus = {
    name: spec.name,
    state: toKubeState(runner.state, id),
    lastState: toKubeState(runner.lastState),
    ready,
    restartCount: runner.restartCount,
    image: spec.image ?? '',
    imageID: imageId(spec.image ?? ''),
    started: running,
  };
  if (id) status.containerID = id;
  return status;
}

/** A container the runner does not (yet) report: waiting with the given reason. */
export function waitingContainerStatus(
  spec: WireContainer,
  reason: string,
  message?: string,
): WireContainerStatus {
  return {
    name: spec.name,
    state: { waiting: message ? { reason, message } : { reason } },
    lastState: {},
    ready: false,
    restartCount: 0,
    image: spec.image ?? '',
    imageID: '',
    started: false,
  };
}

/**
 * A container the runner lost: terminated as the kubelet reports a container
 * it cannot find (exit 137), keeping what the API knew about it.
 */
export function lostContainerStatus(
  spec: WireContainer,
  old: WireContainerStatus | undefined,
  nowMs: number,
): WireContainerStatus {
  if (old?.state?.terminated) return { ...old, ready: false, started: false };
  const startedAt = old?.state?.running?.startedAt;
  const terminated: WireContainerStateTerminated = {
    exitCode: 137,
    reason: 'ContainerStatusUnknown',
    message: 'The runner no longer knows this container; it was not restarted',
    finishedAt: rfc3339(nowMs),
  };
  if (startedAt) terminated.startedAt = startedAt;
  if (old?.containerID) terminated.containerID = old.containerID;
  return {
    name: spec.name,
    state: { terminated },
    lastState: old?.lastState ?? {},
    ready: false,
    restartCount: old?.restartCount ?? 0,
    image: spec.image ?? '',
    imageID: old?.imageID ?? '',
    started: false,
    ...(old?.containerID ? { containerID: old.containerID } : {}),
  };
}
