import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import {
  containerState,
  createNamespace,
  deleteNode,
  kc,
  mustKubectl,
  startVkNode,
} from './support/e2e-env.js';
import { scriptPod } from './support/manifests.js';
import { waitForObject } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

describe('deployments and restarts', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-deploy');
    namespace = await createNamespace('deploy');
  });
  after(async () => node && deleteNode(node));

  it('a Deployment of 3 replicas becomes available on the vk-cmd node', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sleepers' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'sleepers' } },
        template: {
          metadata: { labels: { app: 'sleepers' } },
          spec: {
            nodeSelector: { 'e2e.vk-cmd.io/node': node.nodeName },
            tolerations: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
            containers: [{ name: 'sleep', image: 'none', command: ['sleep', '600'] }],
          },
        },
      },
    };
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(deployment));
    await mustKubectl(
      ['rollout', 'status', '-n', namespace, 'deployment/sleepers', '--timeout=90s'],
      undefined,
      100_000,
    );
    const pods = JSON.parse(
      await mustKubectl(['get', 'pods', '-n', namespace, '-l', 'app=sleepers', '-o', 'json']),
    ) as { items: V1Pod[] };
    expect(pods.items).to.have.length(3);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).to.equal(node.nodeName);
      expect(pod.status?.phase).to.equal('Running');
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    }
  });

  it('a crashing script restarts with back-off and restartCount grows', async () => {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({
        name: 'crasher',
        nodeName: node.nodeName,
        script: 'echo crashing\nexit 1\n',
        restartPolicy: 'Always',
      }),
    );
    const backingOff = await waitForObject<V1Pod>(
      kc(),
      `/api/v1/namespaces/${namespace}/pods`,
      { fieldSelector: 'metadata.name=crasher' },
      (pod) =>
        (containerState(pod, 'c1')?.restartCount ?? 0) >= 1 &&
        containerState(pod, 'c1')?.state?.waiting?.reason === 'CrashLoopBackOff',
      90_000,
      'CrashLoopBackOff after a restart',
    );
    const status = containerState(backingOff, 'c1');
    expect(status?.lastState?.terminated?.exitCode).to.equal(1);
    expect(status?.state?.waiting?.message).to.match(/back-off \d+s restarting failed container/);
    expect(backingOff.status?.phase).to.equal('Running');
  });
});
