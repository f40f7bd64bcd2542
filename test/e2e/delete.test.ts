import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  createNamespace,
  deleteNode,
  isRunning,
  mustKubectl,
  startVkNode,
  waitForPod,
  waitForPodGone,
} from './support/e2e-env.js';
import { scriptPod } from './support/manifests.js';
import { groupMembers } from './support/processes.js';
import { eventually } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

describe('pod deletion', function () {
  this.timeout(120_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    // Pod directories are kept so the test can read what the script wrote while it stopped.
    node = await startVkNode('vk-delete', { runnerArgs: ['--keep-pod-dirs'] });
    namespace = await createNamespace('delete');
  });
  after(async () => node && deleteNode(node));

  async function startPod(name: string, script: string): Promise<{ pgid: number; dir: string }> {
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name, nodeName: node.nodeName, script }),
    );
    await waitForPod(namespace, name, isRunning('c1'), 60_000, 'running');
    const dir = path.join(node.rootDir, namespace, name, 'containers', 'c1');
    const pgid = Number.parseInt(readFileSync(path.join(dir, 'pgid'), 'utf8'), 10);
    // The trap is installed before "ready" is printed.
    await eventually(() => readFileSync(path.join(dir, 'stdout'), 'utf8').includes('ready'), 10_000, 'ready');
    return { pgid, dir };
  }

  it('a script that traps TERM exits cleanly and the pod goes away before the grace period', async () => {
    const { pgid, dir } = await startPod(
      'trapper',
      "trap 'echo got TERM; exit 0' TERM\necho ready\nwhile true; do sleep 0.1; done\n",
    );
    const started = Date.now();
    await mustKubectl(['delete', 'pod', '-n', namespace, 'trapper', '--grace-period=20', '--wait=false']);
    await waitForPodGone(namespace, 'trapper', 30_000);
    const elapsedMs = Date.now() - started;
    expect(elapsedMs, 'gone long before the 20 s grace period').to.be.below(15_000);
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.contain('got TERM');
    expect(groupMembers(pgid)).to.deep.equal([]);
  });

  it('a TERM-ignoring script is killed after the grace period and no process is left', async () => {
    const { pgid } = await startPod('stubborn', "trap '' TERM\necho ready\nwhile true; do sleep 0.1; done\n");
    const started = Date.now();
    await mustKubectl(['delete', 'pod', '-n', namespace, 'stubborn', '--grace-period=2', '--wait=false']);
    await waitForPodGone(namespace, 'stubborn', 30_000);
    const elapsedMs = Date.now() - started;
    expect(elapsedMs, 'the grace period was honoured').to.be.at.least(1_900);
    expect(groupMembers(pgid)).to.deep.equal([]);
  });
});
