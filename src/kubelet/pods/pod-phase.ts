import type { WireContainer, WireContainerStatus, WirePodSpec } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { byName, type ByName } from './by-name.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** podutil.IsRestartableInitContainer: an init container with restartPolicy Always (a sidecar). */
export function isRestartableInit(c: Pick<WireContainer, 'restartPolicy'>): boolean {
  return c.restartPolicy === 'Always';
}

/** kubecontainer.HasAnyRegularContainerStarted: a regular container is running or terminated. */
export function hasAnyRegularContainerStarted(
  spec: Pick<WirePodSpec, 'containers'>,
  statuses: readonly WireContainerStatus[],
): boolean {
  const names = new Set(spec.containers.map((c) => c.name));
  return statuses.some(
    (s) => names.has(s.name) && (s.state?.running !== undefined || s.state?.terminated !== undefined),
  );
}

/**
 * kubecontainer.HasAnyActiveRegularContainerStarted, for the runner: a regular
 * container of the pod's current run has been started (it runs, ended, or
 * waits to restart after ending), which means every init container completed.
 */
export function hasAnyActiveRegularContainerStarted(
  spec: Pick<WirePodSpec, 'containers'>,
  runnerPod: Pick<Pod__Output, 'containerStatuses'> | undefined,
): boolean {
  if (!runnerPod) return false;
  const names = new Set(spec.containers.map((c) => c.name));
  return runnerPod.containerStatuses.some(
    (s) =>
      names.has(s.name) &&
      (Boolean(s.state?.running) ||
        Boolean(s.state?.terminated) ||
        Boolean(s.lastState?.terminated) ||
        s.restartCount > 0),
  );
}

interface Counts {
  pendingRegularInit: number;
  pendingRestartableInit: number;
  failedInitialization: number;
  unknown: number;
  running: number;
  waiting: number;
  stopped: number;
  succeeded: number;
}

function countRegularInit(
  spec: Pick<WirePodSpec, 'initContainers'>,
  find: ByName<WireContainerStatus>,
  n: Counts,
) {
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInit(c)) continue;
    const s = find(c.name);
    if (!s || s.state?.running) n.pendingRegularInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) n.failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) n.failedInitialization++;
      } else n.pendingRegularInit++;
    } else n.pendingRegularInit++;
  }
}

function countSidecars(
  spec: Pick<WirePodSpec, 'initContainers'>,
  find: ByName<WireContainerStatus>,
  n: Counts,
) {
  for (const c of spec.initContainers ?? []) {
    if (!isRestartableInit(c)) continue;
    const s = find(c.name);
    if (!s) n.unknown++;
    else if (s.state?.running) {
      if (!s.started) n.pendingRestartableInit++;
      n.running++;
    } else if (s.state?.terminated) {
      // A terminated sidecar does not count towards the phase.
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        n.pendingRestartableInit++;
        n.waiting++;
      }
    } else {
      n.pendingRestartableInit++;
      n.unknown++;
    }
  }
}

function countRegular(spec: Pick<WirePodSpec, 'containers'>, find: ByName<WireContainerStatus>, n: Counts) {
  for (const c of spec.containers) {
    const s = find(c.name);
    if (!s) n.unknown++;
    else if (s.state?.running) n.running++;
    else if (s.state?.terminated) {
      n.stopped++;
      if (s.state.terminated.exitCode === 0) n.succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) n.stopped++;
      else n.waiting++;
    } else n.unknown++;
  }
}

/**
 * The pod phase as Kubernetes 1.33's getPhase (pkg/kubelet/kubelet_pods.go)
 * computes it. `statuses` holds regular and init container statuses;
 * `restartPolicy` is the policy in effect (Never under
 * --ignore-restart-policy); `podHasInitialized` is whether a regular container
 * of the current run has started (hasAnyActiveRegularContainerStarted), so a
 * restarting sidecar does not put an initialized pod back to Pending. Pure.
 */
export function getPhase(
  spec: Pick<WirePodSpec, 'containers' | 'initContainers'>,
  restartPolicy: string,
  statuses: readonly WireContainerStatus[],
  podIsTerminal: boolean,
  podHasInitialized: boolean,
): PodPhase {
  const n: Counts = {
    pendingRegularInit: 0,
    pendingRestartableInit: 0,
    failedInitialization: 0,
    unknown: 0,
    running: 0,
    waiting: 0,
    stopped: 0,
    succeeded: 0,
  };
  const find = byName(statuses);
  countRegularInit(spec, find, n);
  countSidecars(spec, find, n);
  countRegular(spec, find, n);

  if (n.failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if (n.pendingRegularInit > 0 || (n.pendingRestartableInit > 0 && !podHasInitialized) || n.waiting > 0)
    return 'Pending';
  if (n.running > 0 && n.unknown === 0) return 'Running';
  if (n.running === 0 && n.stopped > 0 && n.unknown === 0) {
    // A terminal pod's containers are not restarted whatever the policy.
    if (podIsTerminal) return n.stopped === n.succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (n.stopped === n.succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
