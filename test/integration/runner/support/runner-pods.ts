import type { ContainerStatus__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';

/** A container's status in a pod (init containers included); throws when it has none. */
export function status(pod: Pod__Output, name: string): ContainerStatus__Output {
  const s = [...pod.initContainerStatuses, ...pod.containerStatuses].find((c) => c.name === name);
  if (!s) throw new Error(`no container ${name} in ${pod.name}`);
  return s;
}

export const isRunning = (name: string) => (p: Pod__Output) => status(p, name).state?.state === 'running';
export const isTerminated = (name: string) => (p: Pod__Output) =>
  status(p, name).state?.state === 'terminated';

export function terminated(pod: Pod__Output, name: string) {
  const t = status(pod, name).state?.terminated;
  if (!t) throw new Error(`${name} not terminated: ${JSON.stringify(status(pod, name))}`);
  return t;
}

let podCounter = 0;

/** A pod that runs `script` (bash) from a configMap mounted at `job`, like the project's e2e manifests. */
export function scriptPod(
  name: string,
  script: string,
  extra: { restartPolicy?: string; container?: string; args?: string[]; namespace?: string } = {},
): PodSpec {
  podCounter++;
  const container = extra.container ?? 'c1';
  return {
    uid: `uid-${name}-${process.pid}-${podCounter}`,
    namespace: extra.namespace ?? 'ns1',
    name,
    restartPolicy: extra.restartPolicy ?? 'Never',
    containers: [
      {
        name: container,
        image: 'script',
        command: ['bash'],
        args: extra.args ?? [],
        volumeMounts: [{ name: 'script', mountPath: 'job' }],
      },
    ],
    volumes: [
      {
        name: 'script',
        configMap: { sourceName: `${name}-script`, data: { 'run.sh': Buffer.from(script) } },
      },
    ],
  };
}
