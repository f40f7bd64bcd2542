import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  containerState,
  createNamespace,
  deleteNode,
  hasPhase,
  isRunning,
  mustKubectl,
  readPod,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { scriptPod } from './support/manifests.js';
import { processIsAlive } from './support/processes.js';
import { eventually } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

describe('exit semantics', function () {
  this.timeout(120_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-exit');
    namespace = await createNamespace('exit');
  });
  after(async () => node && deleteNode(node));

  const cases: Array<{ name: string; script: string; phase: string; exitCode: number; reason: string }> = [
    { name: 'clean', script: 'echo hello\nexit 0\n', phase: 'Succeeded', exitCode: 0, reason: 'Completed' },
    {
      name: 'stderr',
      script: 'echo oops >&2\nexit 0\n',
      phase: 'Failed',
      exitCode: 3,
      reason: 'stderrNotEmpty',
    },
    { name: 'seven', script: 'exit 7\n', phase: 'Failed', exitCode: 7, reason: 'Error' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.phase}/${c.reason}/${c.exitCode}`, async () => {
      await mustKubectl(
        ['apply', '-n', namespace, '-f', '-'],
        scriptPod({ name: c.name, nodeName: node.nodeName, script: c.script }),
      );
      const pod = await waitForPod(namespace, c.name, hasPhase(c.phase), 60_000, c.phase);
      const terminated = containerState(pod, 'c1')?.state?.terminated;
      expect(terminated?.exitCode).to.equal(c.exitCode);
      expect(terminated?.reason).to.equal(c.reason);
      expect(terminated?.startedAt).to.not.equal(undefined);
      expect(terminated?.finishedAt).to.not.equal(undefined);
    });
  }

  it('a background child keeps the container running until it ends', async () => {
    // The script records its pid and exits at once; its child holds the group until the marker appears.
    const script = [
      'echo $$ > main.pid',
      '(while [ ! -e release ]; do sleep 0.1; done) &',
      'exit 0',
      '',
    ].join('\n');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'background', nodeName: node.nodeName, script }),
    );
    await waitForPod(namespace, 'background', isRunning('c1'), 60_000, 'running');
    const dir = path.join(node.rootDir, namespace, 'background', 'containers', 'c1');
    await eventually(() => existsSync(path.join(dir, 'main.pid')), 10_000, 'main.pid written');
    const mainPid = Number.parseInt(readFileSync(path.join(dir, 'main.pid'), 'utf8'), 10);
    await eventually(() => !processIsAlive(mainPid), 10_000, `main process ${mainPid} exited`);

    const pod = await readPod(namespace, 'background');
    expect(pod.status?.phase).to.equal('Running');
    expect(containerState(pod, 'c1')?.state?.running).to.not.equal(undefined);

    writeFileSync(path.join(dir, 'release'), '');
    const done = await waitForPod(namespace, 'background', hasPhase('Succeeded'), 30_000, 'Succeeded');
    expect(containerState(done, 'c1')?.state?.terminated?.reason).to.equal('Completed');
  });
});
