import { expect } from 'chai';
import type { WireNode } from '../../../src/kubelet/kube/wire-types.js';
import type { Harness } from './support/harness.js';
import { harnessPerTest, waitFor } from './support/harness.js';
import type { LeaseController } from '../../../src/kubelet/node/lease-controller.js';

const node = (h: Harness): WireNode | undefined => h.api.nodes.get('vk-test');
const condition = (h: Harness, type: string) => node(h)?.status?.conditions?.find((c) => c.type === type);

describe('kubelet node registration, status, lease and walltime', function () {
  this.timeout(30_000);
  let h: Harness;
  harnessPerTest((x) => (h = x), { startRunner: false });

  it('registers the node with labels, taint, capacity, addresses, endpoint, nodeInfo and conditions', async () => {
    await h.startRunner();
    await h.startKubelet({ nodeLabels: { 'extra/label': 'x' } });
    await waitFor(() => condition(h, 'Ready')?.status === 'True', 5000, 'Ready');
    const n = node(h)!;
    expect(n.metadata?.labels).to.include({
      type: 'virtual-kubelet',
      'kubernetes.io/role': 'agent',
      'kubernetes.io/hostname': 'vk-test',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'arm64',
      'jiriaf.nodetype': 'cpu',
      'jiriaf.site': 'mylin',
      'extra/label': 'x',
    });
    expect(n.metadata?.labels).to.not.have.property('jiriaf.alivetime');
    expect(n.spec?.taints).to.deep.equal([
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
    expect(n.status?.capacity).to.deep.equal({
      cpu: '8',
      memory: `${16 * 1024 * 1024}Ki`,
      pods: '1000',
      'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
    });
    expect(n.status?.addresses).to.deep.equal([{ type: 'InternalIP', address: '10.1.2.3' }]);
    expect(n.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(10250);
    expect(n.status?.nodeInfo?.kubeletVersion).to.equal('v1.33.0-vk-cmd-0.1.0-test');
    expect(n.status?.nodeInfo?.bootID).to.equal('boot-1');
    expect(condition(h, 'Ready')).to.include({
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    });
    expect(condition(h, 'MemoryPressure')).to.include({
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
    });
    expect(condition(h, 'DiskPressure')).to.include({ status: 'False', reason: 'KubeletHasNoDiskPressure' });
    expect(condition(h, 'PIDPressure')).to.include({ status: 'False', reason: 'KubeletHasSufficientPID' });

    const lease = await waitFor(() => h.api.leases.get('kube-node-lease/vk-test'), 5000, 'lease');
    expect(lease.spec?.holderIdentity).to.equal('vk-test');
    expect(lease.spec?.leaseDurationSeconds).to.equal(40);
    expect(String(lease.spec?.renewTime)).to.match(/\.\d{6}Z$/);
    expect(lease.metadata?.ownerReferences).to.deep.equal([
      { apiVersion: 'v1', kind: 'Node', name: 'vk-test', uid: 'node-uid-vk-test' },
    ]);
  });

  it('adopts an existing node and keeps the conditions and labels other writers set', async () => {
    await h.startRunner();
    h.api.nodes.set('vk-test', {
      metadata: {
        name: 'vk-test',
        uid: 'old-uid',
        labels: { 'team/owner': 'physics', 'jiriaf.alivetime': '5' },
      },
      spec: { taints: [{ key: 'other', effect: 'NoExecute' }] },
      status: {
        conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }],
        addresses: [{ type: 'Hostname', address: 'old' }],
      },
    });
    await h.startKubelet();
    await waitFor(() => condition(h, 'Ready')?.status === 'True', 5000, 'Ready');
    const n = node(h)!;
    expect(n.metadata?.labels?.['team/owner']).to.equal('physics');
    expect(n.metadata?.labels).to.not.have.property('jiriaf.alivetime');
    expect(condition(h, 'NetworkUnavailable')?.reason).to.equal('RouteCreated');
    expect(n.status?.addresses).to.deep.equal([{ type: 'InternalIP', address: '10.1.2.3' }]);
    expect(n.spec?.taints?.map((t) => t.key)).to.deep.equal(['other', 'virtual-kubelet.io/provider']);
    const lease = await waitFor(() => h.api.leases.get('kube-node-lease/vk-test'), 5000, 'lease');
    expect(lease.metadata?.ownerReferences?.[0]?.uid).to.equal('old-uid');
  });

  it('counts alivetime down and turns NotReady with WalltimeExpired at zero', async () => {
    await h.startRunner();
    await h.startKubelet({ walltimeSeconds: 2 });
    const first = await waitFor(() => node(h)?.metadata?.labels?.['jiriaf.alivetime'], 5000, 'alivetime');
    expect(node(h)?.metadata?.labels?.['jiriaf.walltime']).to.equal('2');
    expect(Number(first)).to.be.within(1, 2);
    expect(condition(h, 'Ready')?.status).to.equal('True');
    const readyTransition = condition(h, 'Ready')?.lastTransitionTime;
    const memoryTransition = condition(h, 'MemoryPressure')?.lastTransitionTime;
    const memoryHeartbeat = condition(h, 'MemoryPressure')?.lastHeartbeatTime;
    const expired = await waitFor(
      () => condition(h, 'Ready')?.status === 'False' && condition(h, 'Ready'),
      5000,
      'expired',
    );
    expect(expired.reason).to.equal('WalltimeExpired');
    expect(node(h)?.metadata?.labels?.['jiriaf.alivetime']).to.equal('0');
    expect(node(h)?.metadata?.labels?.['jiriaf.walltime']).to.equal('2');
    expect(expired.lastTransitionTime).to.not.equal(readyTransition);
    // The memory condition did not change, so only its heartbeat moved.
    expect(condition(h, 'MemoryPressure')?.lastTransitionTime).to.equal(memoryTransition);
    expect(condition(h, 'MemoryPressure')?.lastHeartbeatTime).to.not.equal(memoryHeartbeat);
  });

  it('registers NotReady when the runner is absent past the grace period, and turns Ready when it appears', async () => {
    await h.startKubelet({ runnerUnreachableGraceSeconds: 0.3 });
    const notReady = await waitFor(() => condition(h, 'Ready'), 5000, 'registered');
    expect(notReady.status).to.equal('False');
    expect(notReady.reason).to.equal('RunnerUnreachable');
    await h.startRunner();
    await waitFor(() => condition(h, 'Ready')?.status === 'True', 5000, 'Ready');
    expect(node(h)?.status?.capacity?.['cpu']).to.equal('8');
    expect(node(h)?.metadata?.labels?.['kubernetes.io/arch']).to.equal('arm64');
  });

  it('recovers the lease after a conflict', async () => {
    await h.startRunner();
    const kubelet = await h.startKubelet();
    await waitFor(() => h.api.leases.get('kube-node-lease/vk-test'), 5000, 'lease');
    const stored = h.api.leases.get('kube-node-lease/vk-test')!;
    stored.metadata!.resourceVersion = 'someone-else';
    // The kubelet's own LeaseController (no lease thread outside a fleet).
    await (kubelet.lease as LeaseController).renew();
    expect(h.api.calls.filter((c) => c.op === 'replaceLease').length).to.be.at.least(2);
    expect(h.api.leases.get('kube-node-lease/vk-test')?.metadata?.resourceVersion).to.not.equal(
      'someone-else',
    );
  });

  it('keeps the walltime deadline the Node records across a kubelet restart', async () => {
    await h.startRunner();
    const deadline = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000)
      .toISOString()
      .replace('.000Z', 'Z');
    // What an earlier kubelet with the same JIRIAF_WALLTIME left on its Node.
    h.api.nodes.set('vk-test', {
      metadata: {
        name: 'vk-test',
        uid: 'uid-1',
        labels: { 'jiriaf.walltime': '3600', 'jiriaf.alivetime': '31' },
        annotations: {
          'vk-cmd.jiriaf.org/walltime-deadline': deadline,
          'vk-cmd.jiriaf.org/walltime-origin': 'JIRIAF_WALLTIME=3600',
        },
      },
    });
    await h.startKubelet({ walltimeSeconds: 3600 });
    await waitFor(() => condition(h, 'Ready')?.status === 'True', 5000, 'Ready');
    const labels = node(h)!.metadata!.labels!;
    expect(labels['jiriaf.walltime']).to.equal('3600');
    expect(Number(labels['jiriaf.alivetime']), 'counting on from the recorded deadline').to.be.within(25, 30);
    expect(node(h)!.metadata!.annotations!['vk-cmd.jiriaf.org/walltime-deadline']).to.equal(deadline);
  });

  it('records a fresh deadline on a new Node, and a restart with the same walltime keeps it', async () => {
    await h.startRunner();
    const first = await h.startKubelet({ walltimeSeconds: 3600 });
    const annotations = await waitFor(() => node(h)?.metadata?.annotations, 5000, 'annotations');
    const deadline = annotations['vk-cmd.jiriaf.org/walltime-deadline']!;
    expect(Date.parse(deadline) - Date.now()).to.be.within(3_590_000, 3_601_000);
    expect(annotations['vk-cmd.jiriaf.org/walltime-origin']).to.equal('JIRIAF_WALLTIME=3600');
    await h.stopKubelet(first);
    const adoptions = h.api.calls.filter((c) => c.op === 'patchNode').length;
    await h.startKubelet({ walltimeSeconds: 3600 });
    await waitFor(() => h.api.calls.filter((c) => c.op === 'patchNode').length > adoptions, 5000, 'adopted');
    expect(node(h)!.metadata!.annotations!['vk-cmd.jiriaf.org/walltime-deadline']).to.equal(deadline);
  });

  it("takes the walltime from the runner's Slurm job when JIRIAF_WALLTIME is unset", async () => {
    h.runner.slurm = { jobId: '4242', endMs: Date.now() + 600_000 };
    await h.startRunner();
    await h.startKubelet({ walltimeSeconds: 0 });
    const labels = await waitFor(
      () => (node(h)?.metadata?.labels?.['jiriaf.walltime'] ? node(h)!.metadata!.labels : undefined),
      5000,
      'walltime labels',
    );
    expect(Number(labels['jiriaf.walltime'])).to.be.within(590, 600);
    expect(Number(labels['jiriaf.alivetime'])).to.be.within(590, 600);
    expect(node(h)!.metadata!.annotations).to.include({
      'vk-cmd.jiriaf.org/walltime-origin': 'slurm-job=4242',
    });
  });

  it('deletes its Node and Lease on a clean exit with --delete-node-on-exit', async () => {
    await h.startRunner();
    const kubelet = await h.startKubelet({ deleteNodeOnExit: true });
    await waitFor(() => h.api.leases.get('kube-node-lease/vk-test'), 5000, 'lease');
    expect(node(h)).to.not.equal(undefined);
    await h.stopKubelet(kubelet);
    expect(node(h), 'node deleted').to.equal(undefined);
    expect(h.api.leases.get('kube-node-lease/vk-test'), 'lease deleted').to.equal(undefined);
  });

  it('with --delete-node-on-exit still deletes its Node when the Lease cannot be deleted', async () => {
    await h.startRunner();
    const kubelet = await h.startKubelet({ deleteNodeOnExit: true });
    await waitFor(() => h.api.leases.get('kube-node-lease/vk-test'), 5000, 'lease');
    h.api.failures.set('deleteLease', { code: 403, remaining: 1 });
    await h.stopKubelet(kubelet);
    expect(node(h), 'node deleted').to.equal(undefined);
    expect(h.api.calls.some((c) => c.op === 'deleteLease')).to.equal(true);
  });

  it('keeps its Node and Lease on exit by default', async () => {
    await h.startRunner();
    const kubelet = await h.startKubelet();
    await waitFor(() => h.api.leases.get('kube-node-lease/vk-test'), 5000, 'lease');
    await h.stopKubelet(kubelet);
    expect(node(h)).to.not.equal(undefined);
    expect(h.api.leases.get('kube-node-lease/vk-test')).to.not.equal(undefined);
    expect(h.api.calls.some((c) => c.op === 'deleteNode')).to.equal(false);
  });
});
