import { expect } from 'chai';
import type { WireContainerStatus, WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { byName } from '../../../../src/kubelet/pods/by-name.js';
import { containerEvents } from '../../../../src/kubelet/pods/container-events.js';
import {
  containersReadyCondition,
  initializedCondition,
} from '../../../../src/kubelet/pods/pod-conditions.js';
import { getPhase } from '../../../../src/kubelet/pods/pod-phase.js';
import { allContainersRunning, computePodStatus } from '../../../../src/kubelet/pods/pod-status.js';
import { cs, running, runnerPod, T0 } from '../support/pod-fixtures.js';

describe('byName', () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, i }));
  for (const n of [0, 1, 15, 16, 1000]) {
    it(`finds what find finds in a list of ${n}`, () => {
      const l = list(n);
      const find = byName(l);
      for (const name of ['c0', `c${n - 1}`, `c${Math.floor(n / 2)}`, 'absent']) {
        expect(find(name), name).to.equal(l.find((x) => x.name === name));
      }
    });
  }
  it('keeps the first entry of a repeated name, as find does (short and long lists)', () => {
    for (const n of [3, 40]) {
      const l = [...list(n), { name: 'c1', i: -1 }];
      expect(byName(l)('c1')?.i).to.equal(1);
    }
  });
  it('answers undefined for an undefined list', () => {
    expect(byName(undefined)('c')).to.equal(undefined);
  });
});

/** Copies of `items` whose `name` reads are counted in `reads.n`. */
function counted<T extends { name: string }>(items: T[], reads: { n: number }): T[] {
  return items.map((item) => {
    const { name, ...rest } = item;
    const copy = { ...rest } as T;
    Object.defineProperty(copy, 'name', {
      enumerable: true,
      get: () => {
        reads.n++;
        return name;
      },
    });
    return copy;
  });
}

describe('status code over a pod of many containers reads each status a bounded number of times', () => {
  const N = 2000;
  // A quadratic scan reads names about N * N / 2 times; a lookup built once, a few times N.
  const BOUND = 20 * N;
  const names = Array.from({ length: N }, (_, i) => `c${String(i).padStart(4, '0')}`);
  const pod: WirePod = {
    metadata: { name: 'huge', namespace: 'ns', uid: 'u' },
    spec: { restartPolicy: 'Never', containers: names.map((name) => ({ name, image: 'img' })) },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
  const apiStatuses = (): WireContainerStatus[] =>
    names.map((name) => ({
      name,
      ready: true,
      restartCount: 0,
      image: 'img',
      imageID: '',
      state: { running: { startedAt: '2025-01-02T03:04:05Z' } },
    }));

  it('computePodStatus (the runner statuses; the old ones of a lost pod)', () => {
    const reads = { n: 0 };
    const runner = runnerPod(
      counted(
        names.map((name) => cs(name, running())),
        reads,
      ),
    );
    computePodStatus({
      pod,
      runnerPod: runner,
      hostIp: '10.0.0.1',
      nowMs: T0,
      firstSeenMs: T0,
      ignoreRestartPolicy: false,
    });
    expect(reads.n).to.be.below(BOUND);
    const old = { n: 0 };
    const lostPod = { ...pod, status: { ...pod.status, containerStatuses: counted(apiStatuses(), old) } };
    computePodStatus({
      pod: lostPod,
      runnerPod: undefined,
      hostIp: '10.0.0.1',
      nowMs: T0,
      firstSeenMs: T0,
      ignoreRestartPolicy: false,
      lost: true,
    });
    expect(old.n).to.be.below(BOUND);
  });

  it('getPhase, Initialized, ContainersReady', () => {
    const reads = { n: 0 };
    const statuses = counted(apiStatuses(), reads);
    expect(getPhase(pod.spec!, 'Never', statuses, false, true)).to.equal('Running');
    expect(containersReadyCondition(pod, statuses, 'Running').status).to.equal('True');
    expect(initializedCondition(pod, statuses, 'Running').status).to.equal('True');
    expect(reads.n).to.be.below(BOUND);
  });

  it('the Started events and allContainersRunning', () => {
    const reads = { n: 0 };
    const shown = { ...pod, status: { ...pod.status, containerStatuses: counted(apiStatuses(), reads) } };
    const runner = runnerPod(
      counted(
        names.map((name) => cs(name, running())),
        reads,
      ),
    );
    expect(containerEvents(shown, runner).filter((e) => e.event.reason === 'Started')).to.have.length(0);
    expect(allContainersRunning(shown, runner)).to.equal(true);
    expect(reads.n).to.be.below(BOUND);
  });
});
