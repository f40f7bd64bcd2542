import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CoreV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import {
  containerState,
  createNamespace,
  deleteNode,
  hasPhase,
  kc,
  mustKubectl,
  startVkNode,
  testCluster,
  waitForPod,
} from './support/e2e-env.js';
import { kubeletGet } from './support/https-get.js';
import { scriptPod } from './support/manifests.js';
import { eventually, listObjects, waitForObject } from './support/wait.js';
import type { VkNode } from './support/vk-node.js';

const ANNOTATION = 'vk-cmd.jiriaf.org/';

/** Removes a cgroup tree, leaves first. */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  }
  rmdirSync(dir);
}

async function podEvents(namespace: string, pod: string, reason: string): Promise<CoreV1Event[]> {
  const list = await listObjects<CoreV1Event>(kc(), `/api/v1/namespaces/${namespace}/events`, {
    fieldSelector: `involvedObject.name=${pod},reason=${reason}`,
  });
  return list.items;
}

async function waitForEvent(namespace: string, pod: string, reason: string): Promise<CoreV1Event> {
  let found: CoreV1Event | undefined;
  await eventually(
    async () => {
      found = (await podEvents(namespace, pod, reason))[0];
      return found !== undefined;
    },
    30_000,
    `a ${reason} event for ${namespace}/${pod}`,
  );
  return found!;
}

function waitForAnnotations(node: VkNode, keys: string[]): Promise<V1Node> {
  return waitForObject<V1Node>(
    kc(),
    '/api/v1/nodes',
    { fieldSelector: `metadata.name=${node.nodeName}` },
    (n) => keys.every((k) => n.metadata?.annotations?.[ANNOTATION + k] !== undefined),
    30_000,
    `node ${node.nodeName} limit annotations`,
  );
}

const oomKilled = (pod: V1Pod) => containerState(pod, 'c1')?.state?.terminated?.reason === 'OOMKilled';

/** tail holds a 100M line whole: the kernel kills it at the cgroup's limit. */
const OOM_SCRIPT = 'head -c 100M /dev/zero | tail\n';
/** bash holds a 64M string while it sleeps: the watchdog kills the group. */
const HOG_SCRIPT = 'x=$(head -c 64M /dev/zero | tr "\\0" a)\necho allocated\nsleep 60\n';

describe('limits on cgroup v1 (kernel enforcement)', function () {
  this.timeout(180_000);
  const name = `vk-cmd-e2e-${process.pid}`;
  const parents = ['memory', 'cpu'].map((c) => `/sys/fs/cgroup/${c}/${name}`);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    for (const dir of parents) mkdirSync(dir);
    node = await startVkNode('vk-limits-v1', {
      runnerArgs: ['--cgroups', 'v1', '--cgroup-parent', `/${name}`],
    });
    namespace = await createNamespace('limits-v1');
  });
  after(async () => {
    if (node) await deleteNode(node);
    for (const dir of parents) removeCgroupTree(dir);
  });

  it('annotates the node: cgroup v1, memory and CPU limits by cgroup', async () => {
    const annotations = (await waitForAnnotations(node, ['cgroup-mode'])).metadata!.annotations!;
    expect(annotations[ANNOTATION + 'cgroup-mode']).to.equal('v1');
    expect(annotations[ANNOTATION + 'memory-limit-enforcement']).to.equal('cgroup');
    expect(annotations[ANNOTATION + 'cpu-limit-enforcement']).to.equal('cgroup');
  });

  it('a container past its memory limit is OOMKilled by the kernel: exit code 137 and an OOMKilled event', async () => {
    const manifest = scriptPod({
      name: 'oom',
      nodeName: node.nodeName,
      script: OOM_SCRIPT,
      resources: { limits: { memory: '32Mi', cpu: '500m' } },
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    const pod = await waitForPod(namespace, 'oom', hasPhase('Failed'), 60_000, 'Failed');
    const terminated = containerState(pod, 'c1')?.state?.terminated;
    expect(terminated).to.include({ reason: 'OOMKilled', exitCode: 137 });
    const event = await waitForEvent(namespace, 'oom', 'OOMKilled');
    expect(event.type).to.equal('Warning');
    expect(event.message).to.match(
      // The kernel may kill more than one of the group's processes (head and tail both grow).
      /^memory limit 32Mi reached: the kernel's OOM killer killed (a process|\d+ processes) of container c1/,
    );
    // CPU limits are enforced here: no warning about them.
    expect(await podEvents(namespace, 'oom', 'CPULimitNotEnforced')).to.have.length(0);
  });
});

describe('limits without cgroups (--cgroups=none: memory watchdog, CPU not enforced)', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-limits-none', { runnerArgs: ['--cgroups', 'none'] });
    namespace = await createNamespace('limits-none');
  });
  after(async () => node && deleteNode(node));

  it('annotates the node: no cgroup, memory limits by the watchdog, CPU limits not enforced, and why', async () => {
    const annotations = (await waitForAnnotations(node, ['cgroup-mode', 'limits-note'])).metadata!
      .annotations!;
    expect(annotations[ANNOTATION + 'cgroup-mode']).to.equal('none');
    expect(annotations[ANNOTATION + 'memory-limit-enforcement']).to.equal('watchdog');
    expect(annotations[ANNOTATION + 'cpu-limit-enforcement']).to.equal('none');
    expect(annotations[ANNOTATION + 'limits-note']).to.match(/--cgroups=none/);
  });

  it('a container past its memory limit is OOMKilled by the watchdog: exit code 137 and an event with the usage', async () => {
    const manifest = scriptPod({
      name: 'hog',
      nodeName: node.nodeName,
      script: HOG_SCRIPT,
      resources: { limits: { memory: '32Mi' } },
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    const pod = await waitForPod(namespace, 'hog', oomKilled, 60_000, 'OOMKilled');
    expect(containerState(pod, 'c1')?.state?.terminated?.exitCode).to.equal(137);
    const event = await waitForEvent(namespace, 'hog', 'OOMKilled');
    expect(event.message).to.match(/^memory limit 32Mi exceeded: working set \d+(\.\d)?Mi; /);
  });

  it('a CPU limit the node cannot enforce gives one CPULimitNotEnforced warning', async () => {
    const manifest = scriptPod({
      name: 'cpu',
      nodeName: node.nodeName,
      script: 'sleep 3\n',
      resources: { limits: { cpu: '200m' } },
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    const event = await waitForEvent(namespace, 'cpu', 'CPULimitNotEnforced');
    expect(event.type).to.equal('Warning');
    expect(event.message).to.equal(
      'cpu limit 200m is not enforced on this node: cgroups are turned off (--cgroups=none)',
    );
    // The pod runs to its end (several status syncs) and the warning is still the only one.
    await waitForPod(namespace, 'cpu', hasPhase('Succeeded'), 60_000, 'Succeeded');
    const events = await podEvents(namespace, 'cpu', 'CPULimitNotEnforced');
    expect(events).to.have.length(1);
    expect(events[0]!.count ?? 1).to.equal(1);
  });
});

describe('ephemeral-storage limits: evictions as a kubelet makes them', function () {
  this.timeout(180_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-limits-storage');
    namespace = await createNamespace('limits-storage');
  });
  after(async () => node && deleteNode(node));

  /** Failed, reason Evicted, the kubelet's message, an Evicted warning, the container stopped. */
  async function expectEvicted(pod: string, message: string): Promise<void> {
    const evicted = await waitForPod(
      namespace,
      pod,
      (p) => p.status?.reason === 'Evicted',
      120_000,
      'Evicted (the runner measures disk use every 30 s)',
    );
    expect(evicted.status).to.include({ phase: 'Failed', reason: 'Evicted', message });
    const event = await waitForEvent(namespace, pod, 'Evicted');
    expect(event).to.include({ type: 'Warning', message });
    const stopped = await waitForPod(
      namespace,
      pod,
      (p) => containerState(p, 'c1')?.state?.terminated !== undefined,
      60_000,
      'container stopped',
    );
    expect(stopped.status).to.include({ phase: 'Failed', reason: 'Evicted' });
  }

  it("a pod past its containers' ephemeral-storage limit is evicted (ephemeralpodfs.limit)", async () => {
    const manifest = scriptPod({
      name: 'disk-hog',
      nodeName: node.nodeName,
      script: 'head -c 20M /dev/zero > big\nsleep 300\n',
      resources: { limits: { 'ephemeral-storage': '10Mi' } },
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    await expectEvicted(
      'disk-hog',
      'Pod ephemeral local storage usage exceeds the total limit of containers 10Mi. ',
    );
    const pki = path.join(testCluster().dir, 'pki');
    const auth = {
      cert: readFileSync(path.join(pki, 'apiserver-kubelet-client.crt'), 'utf8'),
      key: readFileSync(path.join(pki, 'apiserver-kubelet-client.key'), 'utf8'),
    };
    const metrics = await kubeletGet(node.kubeletPort, '/metrics', auth);
    expect(metrics.body).to.match(/^kubelet_evictions\{eviction_signal="ephemeralpodfs.limit"\} 1$/m);
  });

  it('a pod whose emptyDir passes its sizeLimit is evicted (emptydirfs.limit)', async () => {
    const manifest = scriptPod({
      name: 'scratch-hog',
      nodeName: node.nodeName,
      script: 'head -c 10M /dev/zero > scratch/big\nsleep 300\n',
      extraVolumes: [{ name: 'scratch', emptyDir: { sizeLimit: '5Mi' } }],
      extraMounts: [{ name: 'scratch', mountPath: 'scratch' }],
    });
    await mustKubectl(['apply', '-n', namespace, '-f', '-'], manifest);
    await expectEvicted('scratch-hog', 'Usage of EmptyDir volume "scratch" exceeds the limit "5Mi". ');
  });
});
