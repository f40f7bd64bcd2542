import type { WirePod } from '../../kube/wire-types.js';
import type { Pod__Output } from '../../../generated/vkcmd/runner/v1/Pod.js';
import { NotFoundError } from '../../../common/errors.js';
import type { PodLister } from '../pod-lister.js';

/** The runner's view of pods, when the kubelet has it (its link's map). */
export interface RunnerPodView {
  /** The runner's pod, or undefined when it does not hold it (or nothing is known yet). */
  getPod(uid: string): Pod__Output | undefined;
  /** The map is the runner's complete state; absence from it means something. */
  isSynced(): boolean;
}

/** The pod or container named by a streaming request, found. */
export interface StreamTarget {
  pod: WirePod;
  namespace: string;
  name: string;
  uid: string;
  container: string;
}

/** A known container that is not running: the kubelet's 500 `container not found ("c")`. */
export class ContainerNotRunningError extends Error {
  override readonly name = 'ContainerNotRunningError';
}

function specContainers(pod: WirePod): string[] {
  const spec = pod.spec;
  return [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
}

function runnerState(runnerPod: Pod__Output, container: string): 'running' | 'other' | 'unknown' {
  const status = [
    ...runnerPod.containerStatuses,
    ...runnerPod.initContainerStatuses,
    ...runnerPod.ephemeralContainerStatuses,
  ].find((s) => s.name === container);
  if (!status) return 'unknown';
  return status.state?.running ? 'running' : 'other';
}

/**
 * Finds the pod (and container) a streaming request names, with the
 * kubelet's answers: an unknown pod is `pod does not exist` (404), a UID
 * that is not the pod's is `pod not found` (404), a container the spec does
 * not have is `container not found ("c")` (404). When the runner's synced
 * view says the container does not run, ContainerNotRunningError (the
 * kubelet's 500 with the same text): the session fails at once instead of
 * waiting on a process that is not there. Pure.
 */
export function resolveStreamTarget(
  pods: PodLister,
  runner: RunnerPodView | undefined,
  request: { namespace: string; pod: string; uid: string; container: string | undefined },
): StreamTarget {
  const pod = pods.get(request.namespace, request.pod);
  const uid = pod?.metadata?.uid;
  if (!pod || !uid) throw new NotFoundError('pod does not exist');
  if (request.uid && request.uid !== uid) throw new NotFoundError('pod not found');
  const target = {
    pod,
    namespace: request.namespace,
    name: request.pod,
    uid,
    container: request.container ?? '',
  };
  if (request.container === undefined) return target;
  const notFound = `container not found (${JSON.stringify(request.container)})`;
  if (!specContainers(pod).includes(request.container)) throw new NotFoundError(notFound);
  if (runner?.isSynced()) {
    const runnerPod = runner.getPod(uid);
    if (!runnerPod || runnerState(runnerPod, request.container) !== 'running') {
      throw new ContainerNotRunningError(notFound);
    }
  }
  return target;
}
