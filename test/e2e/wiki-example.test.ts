import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  containerState,
  createNamespace,
  deleteNode,
  hasPhase,
  isRunning,
  mustKubectl,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { wikiExample } from './support/manifests.js';
import { groupIsAlive } from './support/processes.js';
import type { VkNode } from './support/vk-node.js';

describe('the wiki example pod', function () {
  this.timeout(180_000);
  let node: VkNode;
  let legacyNode: VkNode;
  let namespace: string;

  before(async () => {
    // JIRIAF_WALLTIME must not be 0, or there is no jiriaf.alivetime for the affinity.
    [node, legacyNode] = await Promise.all([
      startVkNode('vk-wiki', { kubeletEnv: { JIRIAF_WALLTIME: '3600' } }),
      startVkNode('vk-wiki-legacy', {
        kubeletEnv: { JIRIAF_WALLTIME: '3600' },
        kubeletArgs: ['--ignore-restart-policy'],
      }),
    ]);
    namespace = await createNamespace('wiki');
  });

  after(async () => {
    await Promise.all([node && deleteNode(node), legacyNode && deleteNode(legacyNode)]);
  });

  it('is placed by the scheduler, runs with a live pgid file, and ends Succeeded/Completed/0', async () => {
    const { yaml } = wikiExample({ nodeName: node.nodeName, args: ['4', '1'], restartPolicy: 'Never' });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], yaml);

    const running = await waitForPod(namespace, 'p1', isRunning('c1'), 60_000, 'c1 running');
    expect(running.spec?.nodeName).to.equal(node.nodeName);
    expect(running.status?.phase).to.equal('Running');
    expect(running.status?.podIP).to.equal('127.0.0.1');

    const pgidFile = path.join(node.rootDir, namespace, 'p1', 'containers', 'c1', 'pgid');
    expect(existsSync(pgidFile), `${pgidFile} exists`).to.equal(true);
    const pgid = Number.parseInt(readFileSync(pgidFile, 'utf8').trim(), 10);
    expect(groupIsAlive(pgid), `process group ${pgid} is alive`).to.equal(true);
    const script = path.join(
      node.rootDir,
      namespace,
      'p1',
      'containers',
      'c1',
      'stress',
      'job1',
      'stress.sh',
    );
    expect(existsSync(script), `${script} was written from the ConfigMap`).to.equal(true);
    expect(containerState(running, 'c1')?.containerID).to.contain(String(pgid));

    const done = await waitForPod(namespace, 'p1', hasPhase('Succeeded'), 60_000, 'Succeeded');
    const terminated = containerState(done, 'c1')?.state?.terminated;
    expect(terminated?.exitCode).to.equal(0);
    expect(terminated?.reason).to.equal('Completed');
    expect(groupIsAlive(pgid)).to.equal(false);
  });

  it('restarts after completing when restartPolicy is left to the API default (Always)', async () => {
    const { yaml } = wikiExample({ nodeName: node.nodeName, args: ['1', '1'], podName: 'p1-always' });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], yaml);
    const restarted = await waitForPod(
      namespace,
      'p1-always',
      (pod) => (containerState(pod, 'c1')?.restartCount ?? 0) >= 1,
      90_000,
      'restartCount >= 1',
    );
    expect(restarted.spec?.restartPolicy).to.equal('Always');
    const last = containerState(restarted, 'c1')?.lastState?.terminated;
    expect(last?.reason).to.equal('Completed');
    expect(last?.exitCode).to.equal(0);
    expect(restarted.status?.phase).to.equal('Running');
  });

  it('ends Succeeded under --ignore-restart-policy, as the original did', async () => {
    const { yaml } = wikiExample({ nodeName: legacyNode.nodeName, args: ['1', '1'], podName: 'p1-legacy' });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], yaml);
    const done = await waitForPod(namespace, 'p1-legacy', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(done.spec?.restartPolicy).to.equal('Always');
    const status = containerState(done, 'c1');
    expect(status?.restartCount).to.equal(0);
    expect(status?.state?.terminated?.reason).to.equal('Completed');
  });
});
