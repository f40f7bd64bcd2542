import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dumpYaml, loadAllYaml, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { REPO_ROOT } from './paths.js';

/** The wiki's example (examples/wiki-example.yaml), pinned to one node and shortened for tests. */
export function wikiExample(options: {
  nodeName: string;
  args: string[];
  restartPolicy?: 'Never' | 'Always' | 'OnFailure' | undefined;
  podName?: string;
}): { configMap: V1ConfigMap; pod: V1Pod; yaml: string } {
  const docs = loadAllYaml(readFileSync(path.join(REPO_ROOT, 'examples', 'wiki-example.yaml'), 'utf8')) as [
    V1ConfigMap,
    V1Pod,
  ];
  const [configMap, pod] = docs;
  const spec = pod.spec!;
  const container = spec.containers[0]!;
  container.args = options.args;
  if (options.podName) pod.metadata!.name = options.podName;
  if (options.restartPolicy) spec.restartPolicy = options.restartPolicy;
  else delete spec.restartPolicy;
  spec.nodeSelector = { ...spec.nodeSelector, 'e2e.vk-cmd.io/node': options.nodeName };
  return { configMap, pod, yaml: `${dumpYaml(configMap)}---\n${dumpYaml(pod)}` };
}

/** A pod that runs `script` from a ConfigMap through bash on the given node. */
export function scriptPod(options: {
  name: string;
  nodeName: string;
  script: string;
  restartPolicy?: 'Never' | 'Always' | 'OnFailure';
  terminationGracePeriodSeconds?: number;
  containerName?: string;
  /** Where the script volume is mounted; `job` unless a test needs a hostile path. */
  mountPath?: string;
  extraVolumes?: Array<{ name: string; configMap?: { name: string }; emptyDir?: { sizeLimit?: string } }>;
  extraMounts?: Array<{ name: string; mountPath: string }>;
  /** The container's resources (limits, requests). */
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  /** Leave the script ConfigMap out of the manifest (see scriptConfigMap). */
  omitConfigMap?: boolean;
}): string {
  const container = options.containerName ?? 'c1';
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${options.name}-script` },
    data: { 'run.sh': options.script },
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name },
    spec: {
      restartPolicy: options.restartPolicy ?? 'Never',
      terminationGracePeriodSeconds: options.terminationGracePeriodSeconds ?? 30,
      nodeSelector: { 'e2e.vk-cmd.io/node': options.nodeName },
      tolerations: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
      containers: [
        {
          name: container,
          image: 'script',
          command: ['bash'],
          ...(options.resources ? { resources: options.resources } : {}),
          volumeMounts: [
            { name: 'script', mountPath: options.mountPath ?? 'job' },
            ...(options.extraMounts ?? []),
          ],
        },
      ],
      volumes: [
        { name: 'script', configMap: { name: `${options.name}-script` } },
        ...(options.extraVolumes ?? []),
      ],
    },
  };
  return options.omitConfigMap ? dumpYaml(pod) : `${dumpYaml(configMap)}---\n${dumpYaml(pod)}`;
}
