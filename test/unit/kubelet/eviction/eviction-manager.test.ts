import { expect } from 'chai';
import { pino } from 'pino';
import type { Stats__Output } from '../../../../src/generated/vkcmd/runner/v1/Stats.js';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { EvictionManager } from '../../../../src/kubelet/eviction/eviction-manager.js';
import { apiPod, cs, runnerPod, running, status } from '../support/pod-fixtures.js';

const Mi = 2 ** 20;

function limited(uid: string, phase = 'Running'): WirePod {
  return {
    metadata: { uid, namespace: 'ns', name: uid },
    spec: { containers: [{ name: 'c', resources: { limits: { 'ephemeral-storage': '10Mi' } } }] },
    status: { phase },
  };
}

function usage(uid: string, rootfsBytes: number): Stats__Output['pods'][number] {
  return {
    uid,
    namespace: 'ns',
    name: uid,
    volumes: [],
    containers: [
      {
        name: 'c',
        cpuUsageCoreNanoseconds: 0,
        memoryWorkingSetBytes: 0,
        memoryRssBytes: 0,
        processCount: 1,
        startedAtMs: 0,
        logsBytes: 0,
        rootfsBytes,
      },
    ],
  };
}

function harness(pods: WirePod[], podStats: Array<Stats__Output['pods'][number]>) {
  const calls = { getStats: 0, evicted: [] as string[], signals: [] as string[] };
  const manager = new EvictionManager({
    pods: () => pods,
    getStats: () => {
      calls.getStats++;
      return Promise.resolve({ pods: podStats } as unknown as Stats__Output);
    },
    evict: (uid, message) => {
      calls.evicted.push(`${uid}: ${message}`);
      return true;
    },
    evicted: (signal) => calls.signals.push(signal),
    logger: pino({ level: 'silent' }),
  });
  return { manager, calls };
}

describe('EvictionManager (local storage)', () => {
  it('evicts a pod over its limit once, counting the signal; leaves the others', async () => {
    const { manager, calls } = harness(
      [limited('over'), limited('within')],
      [usage('over', 11 * Mi), usage('within', Mi)],
    );
    await manager.check();
    await manager.check();
    expect(calls.evicted).to.deep.equal([
      'over: Pod ephemeral local storage usage exceeds the total limit of containers 10Mi. ',
    ]);
    expect(calls.signals).to.deep.equal(['ephemeralpodfs.limit']);
  });

  it('reads no stats when no pod has a local storage limit, or only finished or deleted ones do', async () => {
    const deleted = limited('deleted');
    deleted.metadata!.deletionTimestamp = '2025-01-01T00:00:00Z';
    const { manager, calls } = harness(
      [
        { metadata: { uid: 'plain' }, spec: { containers: [{ name: 'c' }] } },
        limited('done', 'Failed'),
        deleted,
      ],
      [usage('done', 11 * Mi), usage('deleted', 11 * Mi)],
    );
    await manager.check();
    expect(calls.getStats).to.equal(0);
    expect(calls.evicted).to.deep.equal([]);
  });

  it('a failed GetStats is retried on the next round, never thrown', async () => {
    let fail = true;
    const evicted: string[] = [];
    const manager = new EvictionManager({
      pods: () => [limited('over')],
      getStats: () =>
        fail
          ? Promise.reject(new Error('runner unavailable'))
          : Promise.resolve({ pods: [usage('over', 11 * Mi)] } as unknown as Stats__Output),
      evict: (uid) => evicted.push(uid) > 0,
      evicted: () => undefined,
      logger: pino({ level: 'silent' }),
    });
    await manager.check();
    fail = false;
    await manager.check();
    expect(evicted).to.deep.equal(['over']);
  });
});

describe('computePodStatus of an evicted pod', () => {
  const MESSAGE = 'Container c1 exceeded its local ephemeral storage limit "1Gi". ';

  it('Failed, reason Evicted and the message, containers as the runner shows them', () => {
    const s = status({ runnerPod: runnerPod([cs('c1', running())]), evicted: MESSAGE });
    expect(s).to.include({ phase: 'Failed', reason: 'Evicted', message: MESSAGE });
    expect(s.containerStatuses![0]!.state!.running).to.not.equal(undefined);
  });

  it('a pod that had already succeeded keeps its status', () => {
    const pod = apiPod();
    pod.status!.phase = 'Succeeded';
    const s = status({ pod, evicted: MESSAGE });
    expect(s.phase).to.equal('Succeeded');
    expect(s.reason).to.equal(undefined);
  });
});
