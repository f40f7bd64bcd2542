import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import {
  createNamespace,
  deleteNode,
  isRunning,
  kc,
  mustKubectl,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { scriptPod } from './support/manifests.js';
import { groupIsAlive } from './support/processes.js';
import { waitForObject } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

const readyCondition = (node: V1Node) => node.status?.conditions?.find((c) => c.type === 'Ready');

describe('walltime', function () {
  this.timeout(120_000);
  let node: VkNode;

  after(async () => node && deleteNode(node));

  it('counts jiriaf.alivetime down and turns the node NotReady at zero without killing anything', async () => {
    const walltimeSeconds = 25;
    node = await startVkNode('vk-walltime', { kubeletEnv: { JIRIAF_WALLTIME: String(walltimeSeconds) } });
    const namespace = await createNamespace('walltime');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'survivor', nodeName: node.nodeName, script: 'sleep 300\n' }),
    );
    await waitForPod(namespace, 'survivor', isRunning('c1'), 60_000, 'running');
    const pgid = Number.parseInt(
      readFileSync(path.join(node.rootDir, namespace, 'survivor', 'containers', 'c1', 'pgid'), 'utf8'),
      10,
    );

    const selector = { fieldSelector: `metadata.name=${node.nodeName}` };
    const first = await waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      selector,
      (n) => n.metadata?.labels?.['jiriaf.alivetime'] !== undefined,
      30_000,
      'alivetime label',
    );
    expect(first.metadata?.labels?.['jiriaf.walltime']).to.equal(String(walltimeSeconds));
    const firstAlive = Number(first.metadata?.labels?.['jiriaf.alivetime']);
    expect(firstAlive).to.be.within(1, walltimeSeconds);

    const later = await waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      selector,
      (n) => Number(n.metadata?.labels?.['jiriaf.alivetime']) < firstAlive,
      40_000,
      'alivetime to count down',
    );
    expect(readyCondition(later)?.status).to.equal('True');

    const expired = await waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      selector,
      (n) => readyCondition(n)?.status === 'False',
      60_000,
      'Ready=False',
    );
    expect(readyCondition(expired)?.reason).to.equal('WalltimeExpired');
    expect(expired.metadata?.labels?.['jiriaf.alivetime']).to.equal('0');
    expect(expired.metadata?.labels?.['jiriaf.walltime']).to.equal(String(walltimeSeconds));
    expect(groupIsAlive(pgid), 'the pod keeps running after the walltime').to.equal(true);
  });
});
