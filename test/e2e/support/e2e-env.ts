import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from './cluster.js';
import { mustRun, runCommand, type CommandResult } from './commands.js';
import { KUBECTL } from './paths.js';
import { VkNode, type VkNodeOptions } from './vk-node.js';
import { waitForGone, waitForObject } from './wait.js';

let cluster: TestCluster | undefined;

/** The control plane shared by every end-to-end case; started by the root hooks. */
export function testCluster(): TestCluster {
  if (!cluster)
    throw new Error('the e2e root hooks did not start a cluster (run mocha with --require root-hooks)');
  return cluster;
}

export async function startSharedCluster(): Promise<void> {
  cluster = await startTestCluster();
}

export async function stopSharedCluster(): Promise<void> {
  await cluster?.stop();
  cluster = undefined;
}

export function kc(): KubeConfig {
  return testCluster().kc;
}

export function core(): CoreV1Api {
  return kc().makeApiClient(CoreV1Api);
}

/** Runs the project's kubectl against the test cluster. */
export function kubectl(args: string[], input?: string, timeoutMs = 60_000): Promise<CommandResult> {
  return runCommand(KUBECTL, ['--kubeconfig', testCluster().kubeconfigPath, ...args], { input, timeoutMs });
}

export function mustKubectl(args: string[], input?: string, timeoutMs = 60_000): Promise<string> {
  return mustRun(KUBECTL, ['--kubeconfig', testCluster().kubeconfigPath, ...args], { input, timeoutMs });
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await core().createNamespace({ body: { metadata: { name } } });
  return name;
}

/** A vk-cmd node labelled with its own name, so a nodeSelector can pin pods to it through the scheduler. */
export async function startVkNode(
  nodeName: string,
  extra: Omit<VkNodeOptions, 'nodeName' | 'kubeconfigPath' | 'kc'> = {},
): Promise<VkNode> {
  const node = new VkNode({
    nodeName,
    kubeconfigPath: testCluster().kubeconfigPath,
    kc: kc(),
    ...extra,
    kubeletArgs: ['--node-labels', `e2e.vk-cmd.io/node=${nodeName}`, ...(extra.kubeletArgs ?? [])],
  });
  try {
    await node.start();
  } catch (err) {
    const logs = node.logTail();
    await node.stop();
    throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
  }
  return node;
}

export async function deleteNode(node: VkNode): Promise<void> {
  await node.stop();
  try {
    await core().deleteNode({ name: node.nodeName });
  } catch {
    // already gone
  }
}

export function waitForPod(
  namespace: string,
  name: string,
  predicate: (pod: V1Pod) => boolean,
  timeoutMs: number,
  description: string,
): Promise<V1Pod> {
  return waitForObject<V1Pod>(
    kc(),
    `/api/v1/namespaces/${namespace}/pods`,
    { fieldSelector: `metadata.name=${name}` },
    predicate,
    timeoutMs,
    `pod ${namespace}/${name}: ${description}`,
  );
}

export function waitForPodGone(namespace: string, name: string, timeoutMs: number): Promise<void> {
  return waitForGone(
    kc(),
    `/api/v1/namespaces/${namespace}/pods`,
    `metadata.name=${name}`,
    timeoutMs,
    `pod ${namespace}/${name}`,
  );
}

export function containerState(pod: V1Pod, container: string) {
  return pod.status?.containerStatuses?.find((s) => s.name === container);
}

export const isRunning = (container: string) => (pod: V1Pod) =>
  containerState(pod, container)?.state?.running !== undefined;

export const hasPhase = (phase: string) => (pod: V1Pod) => pod.status?.phase === phase;

export function readPod(namespace: string, name: string): Promise<V1Pod> {
  return core().readNamespacedPod({ namespace, name });
}
