import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  containerState,
  core,
  createNamespace,
  deleteNode,
  hasPhase,
  mustKubectl,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { scriptPod } from './support/manifests.js';
import type { VkNode } from './support/vk-node.js';

describe('bad input', function () {
  this.timeout(120_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-bad');
    namespace = await createNamespace('bad');
  });
  after(async () => node && deleteNode(node));

  it('a missing ConfigMap leaves the pod waiting with a clear reason; creating it starts the pod', async () => {
    const manifest = scriptPod({ name: 'late', nodeName: node.nodeName, script: 'echo late\n' });
    const podOnly = scriptPod({ name: 'late', nodeName: node.nodeName, script: '', omitConfigMap: true });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], podOnly);
    const waiting = await waitForPod(
      namespace,
      'late',
      (pod) => containerState(pod, 'c1')?.state?.waiting?.reason === 'CreateContainerConfigError',
      60_000,
      'CreateContainerConfigError',
    );
    expect(waiting.status?.phase).to.equal('Pending');
    expect(containerState(waiting, 'c1')?.state?.waiting?.message).to.contain('late-script');

    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    const done = await waitForPod(namespace, 'late', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(containerState(done, 'c1')?.state?.terminated?.reason).to.equal('Completed');
  });

  it('a mountPath with .. fails with a clear message and writes nothing outside the pod directory', async () => {
    const before = readdirSync(node.rootDir).sort();
    const manifest = scriptPod({
      name: 'escape',
      nodeName: node.nodeName,
      script: 'echo hi\n',
      mountPath: '../../../../escaped',
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    const failed = await waitForPod(
      namespace,
      'escape',
      (pod) => containerState(pod, 'c1')?.state?.terminated !== undefined,
      60_000,
      'terminated',
    );
    const terminated = containerState(failed, 'c1')?.state?.terminated;
    expect(terminated?.exitCode).to.not.equal(0);
    expect(terminated?.message ?? '').to.match(/\.\./);
    expect(failed.status?.phase).to.equal('Failed');
    expect(existsSync(path.join(node.rootDir, 'escaped'))).to.equal(false);
    expect(existsSync(path.join(node.workDir, 'escaped'))).to.equal(false);
    expect(existsSync(path.join(path.dirname(node.workDir), 'escaped'))).to.equal(false);
    // Only the namespace directory may be new under the root.
    const after = readdirSync(node.rootDir).filter((e) => !before.includes(e));
    expect(after.every((e) => e === namespace || e.startsWith('.'))).to.equal(true);
  });

  it('a 1 MiB ConfigMap works', async () => {
    const line = 'x'.repeat(1023) + '\n';
    const data = line.repeat(1024);
    await core().createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'big-data' }, data: { 'blob.txt': data } },
    });
    const manifest = scriptPod({
      name: 'big',
      nodeName: node.nodeName,
      script: 'wc -c < data/blob.txt\n',
      extraVolumes: [{ name: 'big', configMap: { name: 'big-data' } }],
      extraMounts: [{ name: 'big', mountPath: 'data' }],
    });
    expect(manifest).to.contain('big-data');
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    await waitForPod(namespace, 'big', hasPhase('Succeeded'), 60_000, 'Succeeded');
    const logs = await mustKubectl(['logs', '-n', namespace, 'big']);
    expect(logs.trim()).to.equal(String(1024 * 1024));
  });
});
