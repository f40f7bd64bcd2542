import type { WireContainer, WirePod } from '../kube/wire-types.js';
import type { AddEphemeralContainerRequest } from '../../generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import { ContainerConfigError } from '../errors.js';
import type { EnvContext } from './env-resolver.js';
import type { FetchedObjects } from './object-refs.js';
import { resolveVolumes } from './volume-resolver.js';
import { commonContainerFields } from './runner-pod-spec.js';

/**
 * The AddEphemeralContainer request for an ephemeral container of the pod
 * (`kubectl debug`), its env resolved as any container's and its mounts
 * limited to the volumes vk-cmd provides; the target container is the one
 * whose directory and environment it shares. Pure; throws
 * ContainerConfigError for a missing name or an unresolvable env.
 */
export function buildEphemeralContainerRequest(
  pod: WirePod,
  name: string,
  objects: FetchedObjects,
  ctx: EnvContext,
): AddEphemeralContainerRequest {
  const spec = (pod.spec?.ephemeralContainers ?? []).find((c) => c.name === name);
  if (!spec) throw new ContainerConfigError(`ephemeral container ${name} is not in the pod spec`, [name]);
  // An ephemeral container has a regular container's fields (minus ports, probes and resources).
  const container = spec as WireContainer;
  let provided = new Set<string>();
  try {
    provided = new Set(resolveVolumes(pod, objects, ctx).volumes.map((v) => v.name ?? ''));
  } catch {
    // A volume the pod cannot have only drops the mounts; the pod itself already reports it.
  }
  return {
    uid: pod.metadata?.uid ?? '',
    targetContainer: spec.targetContainerName ?? '',
    container: {
      ...commonContainerFields(pod, container, objects, ctx, provided),
      stdin: spec.stdin ?? false,
      stdinOnce: spec.stdinOnce ?? false,
      tty: spec.tty ?? false,
    },
  };
}
