import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import {
  containerState,
  createNamespace,
  deleteNode,
  hasPhase,
  isRunning,
  kc,
  mustKubectl,
  readPod,
  startVkNode,
  waitForPod,
} from './support/e2e-env.js';
import { scriptPod } from './support/manifests.js';
import { groupIsAlive } from './support/processes.js';
import { eventually, waitForObject } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

const GRACE_SECONDS = 10;
/** The outage reproduced: the runner stopped for 20 s with a 10 s grace period. */
const STOP_MS = 20_000;
const SCRIPT = 'echo run >> runs\nwhile [ ! -e stop ]; do sleep 0.1; done\n';

describe('a hung runner', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-hung', {
      kubeletArgs: ['--runner-unreachable-grace', String(GRACE_SECONDS)],
    });
    namespace = await createNamespace('hung');
  });
  after(async () => {
    node?.runner?.kill('SIGCONT');
    if (node) await deleteNode(node);
  });

  const readyCondition = (n: V1Node): V1NodeCondition | undefined =>
    n.status?.conditions?.find((c) => c.type === 'Ready');
  const waitForReadyStatus = (status: 'True' | 'False', what: string) =>
    waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${node.nodeName}` },
      (n) => readyCondition(n)?.status === status,
      60_000,
      what,
    );

  it('SIGSTOP for 20 s: NotReady (RunnerNotResponding) within the grace period, Ready after SIGCONT, no pod Failed', async () => {
    const containerDir = path.join(node.rootDir, namespace, 'steady', 'containers', 'c1');
    await mustKubectl(
      ['apply', '-n', namespace, '-f', '-'],
      scriptPod({ name: 'steady', nodeName: node.nodeName, script: SCRIPT }),
    );
    await waitForPod(namespace, 'steady', isRunning('c1'), 60_000, 'running');
    await eventually(() => existsSync(path.join(containerDir, 'runs')), 10_000, 'runs written');
    const pgid = Number.parseInt(readFileSync(path.join(containerDir, 'pgid'), 'utf8'), 10);

    const stoppedAtMs = Date.now();
    node.runner!.kill('SIGSTOP');
    const notReady = readyCondition(
      await waitForReadyStatus('False', 'Ready=False while the runner is stopped'),
    );
    const detectedMs = Date.now() - stoppedAtMs;
    expect(notReady?.reason).to.equal('RunnerNotResponding');
    expect(notReady?.message).to.match(/^runner at unix:\/\/.+ has not answered for \d+s/);
    // Silence counts from the runner's last answer, at most one heartbeat (2.5 s) before the stop.
    expect(detectedMs).to.be.within(GRACE_SECONDS * 1000 - 3_000, GRACE_SECONDS * 1000 + 3_000);

    // The rest of the outage: the pod keeps its last status, its processes keep running.
    await delay(Math.max(0, STOP_MS - (Date.now() - stoppedAtMs)));
    const during = await readPod(namespace, 'steady');
    expect(during.status?.phase).to.equal('Running');
    expect(containerState(during, 'c1')?.state?.running).to.not.equal(undefined);
    expect(groupIsAlive(pgid)).to.equal(true);

    const continuedAtMs = Date.now();
    node.runner!.kill('SIGCONT');
    const ready = readyCondition(await waitForReadyStatus('True', 'Ready=True after SIGCONT'));
    const recoveredMs = Date.now() - continuedAtMs;
    expect(ready?.reason).to.equal('KubeletReady');
    process.stdout.write(
      `      detected after ${detectedMs} ms (grace ${GRACE_SECONDS * 1000} ms), Ready ${recoveredMs} ms after SIGCONT\n`,
    );

    // Status flows again and the pod ends as its script says: Succeeded, never Failed.
    writeFileSync(path.join(containerDir, 'stop'), '');
    const done = await waitForPod(namespace, 'steady', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(containerState(done, 'c1')?.restartCount).to.equal(0);
    expect(readFileSync(path.join(containerDir, 'runs'), 'utf8')).to.equal('run\n');
  });
});
