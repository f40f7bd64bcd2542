import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
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
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { restartApiserver } from './support/apiserver-restart.js';
import { scriptPod } from './support/manifests.js';
import { groupIsAlive } from './support/processes.js';
import { apiRequest, eventually, waitForObject } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

/** Each run appends to `runs`, then waits for a `stop` file and exits with $EXIT_CODE. */
const COUNTING_SCRIPT = 'echo run >> runs\nwhile [ ! -e stop ]; do sleep 0.1; done\nexit ${EXIT_CODE:-0}\n';

describe('crashes and outages', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-crash', { kubeletArgs: ['--runner-unreachable-grace', '5'] });
    namespace = await createNamespace('crash');
  });
  after(async () => node && deleteNode(node));

  const containerDir = (pod: string) => path.join(node.rootDir, namespace, pod, 'containers', 'c1');
  const startCounter = async (name: string, exitCode = 0) => {
    const manifest = scriptPod({
      name,
      nodeName: node.nodeName,
      script: COUNTING_SCRIPT.replace('${EXIT_CODE:-0}', String(exitCode)),
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    await waitForPod(namespace, name, isRunning('c1'), 60_000, 'running');
    await eventually(() => existsSync(path.join(containerDir(name), 'runs')), 10_000, 'runs written');
    return Number.parseInt(readFileSync(path.join(containerDir(name), 'pgid'), 'utf8'), 10);
  };

  it('kill -9 of the kubelet: the pod is adopted, its script is not run again, status keeps flowing', async () => {
    const pgid = await startCounter('adopted');
    await node.killKubelet('SIGKILL');
    expect(groupIsAlive(pgid)).to.equal(true);
    node.startKubelet();
    await node.waitForReady();
    writeFileSync(path.join(containerDir('adopted'), 'stop'), '');
    const done = await waitForPod(namespace, 'adopted', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(containerState(done, 'c1')?.restartCount).to.equal(0);
    expect(readFileSync(path.join(containerDir('adopted'), 'runs'), 'utf8')).to.equal('run\n');
  });

  it('kill -9 of the runner: the group is re-adopted and its true exit code is reported', async () => {
    const pgid = await startCounter('readopted', 5);
    await node.killRunner('SIGKILL');
    expect(groupIsAlive(pgid), 'the process group survives the runner').to.equal(true);
    // The container ends while the runner is down.
    writeFileSync(path.join(containerDir('readopted'), 'stop'), '');
    await eventually(() => !groupIsAlive(pgid), 10_000, 'group ended');
    await node.startRunner();
    const done = await waitForPod(namespace, 'readopted', hasPhase('Failed'), 60_000, 'Failed');
    const terminated = containerState(done, 'c1')?.state?.terminated;
    expect(terminated?.exitCode).to.equal(5);
    expect(readFileSync(path.join(containerDir('readopted'), 'runs'), 'utf8')).to.equal('run\n');
  });

  it('a cut runner link turns the node NotReady (RunnerUnreachable) without failing pods, then recovers', async () => {
    const pgid = await startCounter('outage');
    await node.killRunner('SIGKILL');
    const notReady = await waitForObject<V1Node>(
      kc(),
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${node.nodeName}` },
      (n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False',
      60_000,
      'Ready=False',
    );
    expect(notReady.status?.conditions?.find((c) => c.type === 'Ready')?.reason).to.equal(
      'RunnerUnreachable',
    );
    const during = await readPod(namespace, 'outage');
    expect(during.status?.phase).to.equal('Running');
    expect(groupIsAlive(pgid)).to.equal(true);

    await node.startRunner();
    await node.waitForReady();
    writeFileSync(path.join(containerDir('outage'), 'stop'), '');
    const done = await waitForPod(namespace, 'outage', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(containerState(done, 'c1')?.state?.terminated?.exitCode).to.equal(0);
  });

  it('an API server restart loses no pod', async () => {
    await startCounter('before-restart');
    await restartApiserver(testCluster().dir, async () => {
      try {
        await apiRequest(kc(), 'GET', '/readyz', undefined, 2_000);
        return true;
      } catch {
        return false;
      }
    });
    await node.waitForReady();
    // The pod that ran through the restart still reports, and a new one starts.
    writeFileSync(path.join(containerDir('before-restart'), 'stop'), '');
    await waitForPod(namespace, 'before-restart', hasPhase('Succeeded'), 60_000, 'Succeeded');
    await startCounter('after-restart');
    writeFileSync(path.join(containerDir('after-restart'), 'stop'), '');
    await waitForPod(namespace, 'after-restart', hasPhase('Succeeded'), 60_000, 'Succeeded');
    expect(readFileSync(path.join(containerDir('before-restart'), 'runs'), 'utf8')).to.equal('run\n');
  });
});
