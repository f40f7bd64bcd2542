import { expect } from 'chai';
import type { WireNodeCondition } from '../../../../src/kubelet/kube/wire-types.js';
import {
  buildNode,
  kubeletVersion,
  nodeCapacity,
  nodeConditions,
  nodeLabels,
  nodeStatus,
  nodeStatusPatch,
  type HostFacts,
} from '../../../../src/kubelet/node/node-object.js';
import { decideReadiness } from '../../../../src/kubelet/node/node-readiness.js';
import type { WalltimeState } from '../../../../src/kubelet/node/walltime.js';

const host: HostFacts = {
  cpus: 4,
  memoryBytes: 8 * 1024 ** 3 + 512,
  ephemeralStorageBytes: 50 * 1024 ** 3,
  architecture: 'amd64',
  operatingSystem: 'linux',
  kernelVersion: '6.1',
  osImage: 'Debian',
  bootId: 'b',
  machineId: 'm',
};

const config = {
  nodeName: 'vk',
  nodeType: 'cpu',
  site: 'Local',
  walltimeSeconds: 0,
  nodeLabels: {},
  taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' as const }],
  podIp: '172.17.0.1',
  maxPods: 1000,
};

describe('node object', () => {
  const labelCases: Array<{
    name: string;
    walltime: number;
    alive: number | undefined;
    extra?: Record<string, string>;
    want: Record<string, string>;
    absent: string[];
  }> = [
    {
      name: 'no walltime: no walltime labels',
      walltime: 0,
      alive: undefined,
      want: {
        type: 'virtual-kubelet',
        'kubernetes.io/role': 'agent',
        'kubernetes.io/hostname': 'vk',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'jiriaf.nodetype': 'cpu',
        'jiriaf.site': 'Local',
      },
      absent: ['jiriaf.walltime', 'jiriaf.alivetime'],
    },
    {
      name: 'walltime: fixed walltime and remaining alivetime',
      walltime: 60,
      alive: 42,
      want: { 'jiriaf.walltime': '60', 'jiriaf.alivetime': '42' },
      absent: [],
    },
    {
      name: 'walltime expired: alivetime 0',
      walltime: 60,
      alive: 0,
      want: { 'jiriaf.alivetime': '0' },
      absent: [],
    },
    {
      name: '--node-labels are added and may override',
      walltime: 0,
      alive: undefined,
      extra: { 'x/y': 'z', 'jiriaf.site': 'nersc' },
      want: { 'x/y': 'z', 'jiriaf.site': 'nersc' },
      absent: [],
    },
  ];
  for (const t of labelCases) {
    it(`labels: ${t.name}`, () => {
      const labels = nodeLabels(
        { ...config, nodeLabels: t.extra ?? {} },
        host,
        t.walltime > 0 ? { walltimeSeconds: t.walltime, aliveSeconds: t.alive ?? 0 } : undefined,
      );
      expect(labels).to.include(t.want);
      for (const k of t.absent) expect(labels).to.not.have.property(k);
    });
  }

  it('capacity: cpu, memory in Ki, pods, ephemeral-storage', () => {
    expect(nodeCapacity(host, 1000)).to.deep.equal({
      cpu: '4',
      memory: '8388608Ki',
      pods: '1000',
      'ephemeral-storage': '52428800Ki',
    });
  });

  it('builds the registration object with taint, InternalIP only, endpoint and nodeInfo', () => {
    const status = nodeStatus({ config, host, kubeletPort: 10255, version: '0.1.0', conditions: [] });
    const node = buildNode(config, status, { a: 'b' });
    expect(node.spec?.taints).to.deep.equal([
      { key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' },
    ]);
    expect(node.status?.addresses).to.deep.equal([{ type: 'InternalIP', address: '172.17.0.1' }]);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.equal(10255);
    expect(node.status?.allocatable).to.deep.equal(node.status?.capacity);
    expect(node.status?.nodeInfo).to.include({
      containerRuntimeVersion: 'vk-cmd://0.1.0',
      kubeletVersion: 'v1.33.0-vk-cmd-0.1.0',
      architecture: 'amd64',
      bootID: 'b',
      machineID: 'm',
    });
    expect(buildNode({ ...config, taints: [] }, status, {}).spec).to.deep.equal({});
    expect(kubeletVersion('1.2.3+dirty')).to.equal('v1.33.0-vk-cmd-1.2.3-dirty');
  });

  it('the status patch replaces addresses and merges conditions', () => {
    const patch = nodeStatusPatch({
      addresses: [{ type: 'InternalIP', address: '1.2.3.4' }],
      conditions: [],
    }) as { status: { addresses: unknown[] } };
    expect(patch.status.addresses).to.deep.equal([
      { type: 'InternalIP', address: '1.2.3.4' },
      { $patch: 'replace' },
    ]);
  });

  describe('conditions', () => {
    const t1 = Date.parse('2025-01-01T00:00:00Z');
    const t2 = t1 + 60_000;
    it('first report: transition = heartbeat = now; Ready reason KubeletReady', () => {
      const c = nodeConditions(undefined, { ready: true }, t1);
      expect(c.map((x) => x.type)).to.deep.equal(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
      expect(c[3]).to.deep.equal({
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: '2025-01-01T00:00:00Z',
        lastTransitionTime: '2025-01-01T00:00:00Z',
      });
    });
    it('unchanged status keeps the transition time, moves the heartbeat', () => {
      const before = nodeConditions(undefined, { ready: true }, t1);
      const after = nodeConditions(before, { ready: true }, t2);
      expect(after[3]!.lastTransitionTime).to.equal('2025-01-01T00:00:00Z');
      expect(after[3]!.lastHeartbeatTime).to.equal('2025-01-01T00:01:00Z');
    });
    it('a changed status moves the transition time; a reason change alone does not', () => {
      const before: WireNodeCondition[] = nodeConditions(
        undefined,
        { ready: false, reason: 'RunnerUnreachable', message: 'x' },
        t1,
      );
      const sameStatus = nodeConditions(
        before,
        { ready: false, reason: 'WalltimeExpired', message: 'y' },
        t2,
      );
      expect(sameStatus[3]).to.include({
        reason: 'WalltimeExpired',
        lastTransitionTime: '2025-01-01T00:00:00Z',
      });
      const flipped = nodeConditions(before, { ready: true }, t2);
      expect(flipped[3]!.lastTransitionTime).to.equal('2025-01-01T00:01:00Z');
      expect(flipped[0]!.lastTransitionTime).to.equal('2025-01-01T00:00:00Z');
    });
  });
});

describe('decideReadiness', () => {
  const base = {
    walltime: { aliveSeconds: undefined, expired: false, nextRefreshMs: undefined } as WalltimeState,
    walltimeSeconds: 0,
    linkSynced: true,
    everSynced: true,
    unsyncedSinceMs: undefined as number | undefined,
    silentSinceMs: undefined as number | undefined,
    graceMs: 40_000,
    nowMs: 100_000,
    runnerTarget: 'unix:///r.sock',
  };
  const cases: Array<[string, Partial<typeof base>, string | undefined]> = [
    ['synced', {}, undefined],
    ['down inside the grace period', { linkSynced: false, unsyncedSinceMs: 70_000 }, undefined],
    ['down past the grace period', { linkSynced: false, unsyncedSinceMs: 50_000 }, 'RunnerUnreachable'],
    ['never reached', { linkSynced: false, everSynced: false, unsyncedSinceMs: 99_000 }, 'RunnerUnreachable'],
    ['silent inside the grace period', { silentSinceMs: 70_000 }, undefined],
    ['silent past the grace period, link still synced', { silentSinceMs: 60_000 }, 'RunnerNotResponding'],
    [
      'silent past the grace period and the link dropped meanwhile',
      { silentSinceMs: 50_000, linkSynced: false, unsyncedSinceMs: 80_000 },
      'RunnerNotResponding',
    ],
    [
      'down past the grace period, silent only lately',
      { silentSinceMs: 90_000, linkSynced: false, unsyncedSinceMs: 50_000 },
      'RunnerUnreachable',
    ],
    [
      'never reached wins over silence',
      { silentSinceMs: 0, linkSynced: false, everSynced: false, unsyncedSinceMs: 0 },
      'RunnerUnreachable',
    ],
    [
      'walltime expired wins',
      {
        linkSynced: false,
        unsyncedSinceMs: 0,
        walltimeSeconds: 60,
        walltime: { aliveSeconds: 0, expired: true, nextRefreshMs: undefined },
      },
      'WalltimeExpired',
    ],
  ];
  for (const [name, over, reason] of cases) {
    it(name, () => {
      const r = decideReadiness({ ...base, ...over });
      expect(r.ready ? undefined : r.reason).to.equal(reason);
    });
  }

  it('says for how long the runner has not answered', () => {
    const r = decideReadiness({ ...base, silentSinceMs: 58_400 });
    expect(r).to.deep.equal({
      ready: false,
      reason: 'RunnerNotResponding',
      message: 'runner at unix:///r.sock has not answered for 42s; pods keep their last known status',
    });
  });
});
