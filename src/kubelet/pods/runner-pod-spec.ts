import type { WireContainer, WirePod } from '../kube/wire-types.js';
import type { Container } from '../../generated/vkcmd/runner/v1/Container.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { ContainerConfigError } from '../errors.js';
import { containerResources } from './container-resources.js';
import { resolveEnv, type EnvContext } from './env-resolver.js';
import { effectiveSecurityContext } from './security-context.js';
import type { FetchedObjects } from './object-refs.js';
import { runnerHealthFields } from './probe-spec.js';
import type { SkippedVolume } from './volume-data.js';
import { resolveVolumes } from './volume-resolver.js';

/** How the pod's restart policy is passed on: honoured, or always "Never" (the original's behaviour). */
export function effectiveRestartPolicy(
  pod: WirePod,
  ignoreRestartPolicy: boolean,
): 'Always' | 'OnFailure' | 'Never' {
  if (ignoreRestartPolicy) return 'Never';
  const policy = pod.spec?.restartPolicy;
  return policy === 'Never' || policy === 'OnFailure' ? policy : 'Always';
}

/**
 * The fields every kind of container (regular, init, ephemeral) passes to
 * the runner alike: command line, resolved env, securityContext, and mounts
 * of the volumes vk-cmd provides. Pure; throws ContainerConfigError for an
 * env that cannot be resolved.
 */
export function commonContainerFields(
  pod: WirePod,
  c: WireContainer,
  objects: FetchedObjects,
  ctx: EnvContext,
  provided: ReadonlySet<string | undefined>,
): Pick<
  Container,
  'name' | 'image' | 'command' | 'args' | 'workingDir' | 'env' | 'volumeMounts' | 'securityContext'
> {
  return {
    name: c.name,
    image: c.image ?? '',
    command: c.command ?? [],
    args: c.args ?? [],
    workingDir: c.workingDir ?? '',
    env: resolveEnv(pod, c, objects, ctx),
    volumeMounts: (c.volumeMounts ?? [])
      .filter((m) => provided.has(m.name))
      .map((m) => ({
        name: m.name,
        mountPath: m.mountPath,
        subPath: m.subPath ?? '',
        readOnly: m.readOnly ?? false,
      })),
    securityContext: effectiveSecurityContext(pod, c),
  };
}

/** A CreatePod request, and the volumes it leaves out (their mounts dropped). */
export interface RunnerPodSpec {
  spec: PodSpec;
  skipped: SkippedVolume[];
}

/**
 * The CreatePod request for a pod, with env and volumes fully resolved.
 * Pure. Throws ContainerConfigError listing every container that cannot be
 * configured (the first message wins, as the kubelet reports one error).
 */
export function buildRunnerPodSpec(
  pod: WirePod,
  objects: FetchedObjects,
  ctx: EnvContext & { ignoreRestartPolicy: boolean },
): RunnerPodSpec {
  let firstError: ContainerConfigError | undefined;
  const affected = new Set<string>();
  const record = (err: unknown): void => {
    if (!(err instanceof ContainerConfigError)) throw err;
    firstError ??= err;
    for (const c of err.containers) affected.add(c);
  };

  let volumes: NonNullable<PodSpec['volumes']> = [];
  let skipped: SkippedVolume[] = [];
  try {
    ({ volumes, skipped } = resolveVolumes(pod, objects, ctx));
  } catch (err) {
    record(err);
  }
  const provided = new Set(volumes.map((v) => v.name));

  const convert = (c: WireContainer): Container | undefined => {
    try {
      return {
        ...commonContainerFields(pod, c, objects, ctx, provided),
        ...containerResources(c),
        // Only when set, so specs without them read as before.
        ...(c.stdin ? { stdin: true } : {}),
        ...(c.stdinOnce ? { stdinOnce: true } : {}),
        ...(c.tty ? { tty: true } : {}),
      };
    } catch (err) {
      record(err);
      return undefined;
    }
  };
  const initContainers = (pod.spec?.initContainers ?? []).map(convert);
  // Probes and hooks run in the runner, beside the processes; init containers have none.
  const containers = (pod.spec?.containers ?? []).map((c) => {
    const converted = convert(c);
    return converted && { ...converted, ...runnerHealthFields(c, pod) };
  });
  const grace = pod.spec?.terminationGracePeriodSeconds;
  if (firstError) throw new ContainerConfigError(firstError.message, [...affected]);

  return {
    spec: {
      uid: pod.metadata?.uid ?? '',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      initContainers: initContainers as Container[],
      containers: containers as Container[],
      volumes,
      restartPolicy: effectiveRestartPolicy(pod, ctx.ignoreRestartPolicy),
      ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }),
    },
    skipped,
  };
}
