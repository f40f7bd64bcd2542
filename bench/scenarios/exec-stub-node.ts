import { readFileSync } from 'node:fs';
import { credentialSource } from '../../src/kubelet/kube/kube-credentials.js';
import { KubeTransport } from '../../src/kubelet/kube/kube-transport.js';
import { parseKubeconfig } from '../../src/kubelet/kube/kubeconfig.js';
import { SCENARIO_LABEL } from '../bench-pod.js';

/** The taint and label key of the stub node: nothing but the stub pod, which tolerates it, lands there. */
export const STUB_NODE_KEY = 'vk-cmd.io/bench-stub-kubelet';
const MERGE_PATCH = 'application/merge-patch+json';

/** The Node a kubelet stub on 127.0.0.1:`port` registers. Pure. */
export function stubNodeManifest(name: string, port: number, now: Date): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [STUB_NODE_KEY]: 'true', 'kubernetes.io/hostname': name } },
    spec: { taints: [{ key: STUB_NODE_KEY, value: 'true', effect: 'NoSchedule' }] },
    status: stubNodeStatus(port, now),
  };
}

/** Ready, addressed at 127.0.0.1, its kubelet endpoint on `port`. Pure. */
export function stubNodeStatus(port: number, now: Date): Record<string, unknown> {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'bench kubelet stub',
        lastHeartbeatTime: time,
        lastTransitionTime: time,
      },
    ],
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'localhost' },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: port } },
  };
}

/** A pod bound to the stub node; it tolerates the stub's taint and its node going NotReady. Pure. */
export function stubPodManifest(name: string, nodeName: string, scenario: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [SCENARIO_LABEL]: scenario } },
    spec: {
      nodeName,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'c1', image: 'bench', command: ['sleep', '3600'] }],
    },
  };
}

/** A stub node and its pod, registered with the API server. */
export interface StubNode {
  nodeName: string;
  podName: string;
  /** Deletes the pod (grace 0: no kubelet confirms it) and the node. Idempotent; never throws. */
  remove(): Promise<void>;
}

/**
 * Registers a Node for a kubelet stub on 127.0.0.1:`port` (tainted, so the
 * scheduler puts nothing there), and a pod bound to it whose status is
 * patched Running, as a kubelet would report it: the API server then
 * proxies `kubectl exec` on that pod to the stub exactly as it proxies to a
 * vk-cmd node. Leftovers of an earlier run under the same names are
 * replaced. Uses the admin kubeconfig at `kubeconfigPath`.
 */
export async function registerStubNode(options: {
  kubeconfigPath: string;
  nodeName: string;
  podName: string;
  namespace: string;
  port: number;
  scenario: string;
}): Promise<StubNode> {
  const { nodeName, podName, namespace } = options;
  const config = parseKubeconfig(readFileSync(options.kubeconfigPath, 'utf8'), options.kubeconfigPath, (f) =>
    readFileSync(f, 'utf8'),
  );
  const transport = new KubeTransport(config, credentialSource(config.credentials), {
    maxSockets: 2,
    userAgent: 'vk-cmd-bench-stub',
  });
  const podPath = `/api/v1/namespaces/${namespace}/pods/${podName}`;
  const nodePath = `/api/v1/nodes/${nodeName}`;
  const quietly = (p: Promise<unknown>): Promise<void> =>
    p.then(
      () => undefined,
      () => undefined,
    );
  let removed: Promise<void> | undefined;
  const remove = (): Promise<void> => {
    removed ??= (async () => {
      await quietly(transport.request({ method: 'DELETE', path: podPath, query: { gracePeriodSeconds: 0 } }));
      await quietly(transport.request({ method: 'DELETE', path: nodePath }));
      transport.close();
    })();
    return removed;
  };
  try {
    await quietly(transport.request({ method: 'DELETE', path: podPath, query: { gracePeriodSeconds: 0 } }));
    await quietly(transport.request({ method: 'DELETE', path: nodePath }));
    const now = new Date();
    await transport.request({
      method: 'POST',
      path: '/api/v1/nodes',
      body: stubNodeManifest(nodeName, options.port, now),
    });
    // A create may drop status on some versions: set it through the subresource as a kubelet does.
    await transport.request({
      method: 'PATCH',
      path: `${nodePath}/status`,
      contentType: MERGE_PATCH,
      body: { status: stubNodeStatus(options.port, now) },
    });
    await transport.request({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/pods`,
      body: stubPodManifest(podName, nodeName, options.scenario),
    });
    const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
    await transport.request({
      method: 'PATCH',
      path: `${podPath}/status`,
      contentType: MERGE_PATCH,
      body: {
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: time }],
          containerStatuses: [
            {
              name: 'c1',
              image: 'bench',
              imageID: '',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: time } },
            },
          ],
        },
      },
    });
  } catch (err) {
    await remove();
    throw err;
  }
  return { nodeName, podName, remove };
}
