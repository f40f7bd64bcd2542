import { expect } from 'chai';
import type { WirePod } from '../../../src/kubelet/kube/wire-types.js';
import type { ContainerStatus__Output } from '../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import {
  containerStateCounts,
  containerStateLabel,
  podPhaseCounts,
  podWorkerOperation,
  walltimeRemainingSeconds,
  type ContainerStateLabel,
} from '../../../src/kubelet/kubelet-state-metrics.js';

function status(overrides: Partial<ContainerStatus__Output>): ContainerStatus__Output {
  return { name: 'c', state: null, lastState: null, restartCount: 0, pgid: 0, image: '', ...overrides };
}

const running = { running: { startedAtMs: 1 } } as ContainerStatus__Output['state'];
const terminated = { terminated: { exitCode: 0 } } as ContainerStatus__Output['state'];
const waiting = { waiting: { reason: 'CrashLoopBackOff' } } as ContainerStatus__Output['state'];

function runnerPod(containers: ContainerStatus__Output[], init: ContainerStatus__Output[] = []): Pod__Output {
  return {
    uid: 'u',
    namespace: 'n',
    name: 'p',
    initContainerStatuses: init,
    ephemeralContainerStatuses: [],
    containerStatuses: containers,
    createdAtMs: 0,
    deleting: false,
    revision: 1,
    restartPolicy: 'Never',
  };
}

describe('containerStateLabel', () => {
  const cases: Array<[string, ContainerStatus__Output, ContainerStateLabel]> = [
    ['running', status({ state: running }), 'running'],
    ['terminated', status({ state: terminated }), 'exited'],
    ['waiting before its first run', status({ state: waiting }), 'created'],
    ['waiting to restart', status({ state: waiting, restartCount: 2 }), 'exited'],
    ['waiting after a run it remembers', status({ state: waiting, lastState: terminated }), 'exited'],
    ['no state', status({}), 'unknown'],
  ];
  for (const [what, s, expected] of cases) {
    it(`${what} -> ${expected}`, () => expect(containerStateLabel(s)).to.equal(expected));
  }
});

describe('containerStateCounts', () => {
  it('counts init and regular containers of every pod, with every state present', () => {
    const counts = containerStateCounts([
      runnerPod([status({ state: running }), status({ state: terminated })], [status({ state: terminated })]),
      runnerPod([status({ state: running })]),
    ]);
    expect(Object.fromEntries(counts)).to.deep.equal({ created: 0, running: 2, exited: 2, unknown: 0 });
  });
});

describe('podPhaseCounts', () => {
  const withPhase = (phase?: string): WirePod => ({ status: phase === undefined ? {} : { phase } });
  it('counts pods by phase; no phase yet is Pending, an odd one Unknown', () => {
    const counts = podPhaseCounts([
      withPhase('Running'),
      withPhase('Running'),
      withPhase(),
      withPhase('Succeeded'),
      withPhase('Weird'),
    ]);
    expect(Object.fromEntries(counts)).to.deep.equal({
      Pending: 1,
      Running: 2,
      Succeeded: 1,
      Failed: 0,
      Unknown: 1,
    });
  });
});

describe('podWorkerOperation', () => {
  const apiPod: WirePod = { metadata: { name: 'p' } };
  const deleting: WirePod = { metadata: { name: 'p', deletionTimestamp: '2024-05-01T12:00:00Z' } };
  const cases: Array<[string, WirePod | undefined, Pod__Output | undefined, string]> = [
    ['a new pod the runner does not hold', apiPod, undefined, 'create'],
    ['a pod the runner holds', apiPod, runnerPod([]), 'update'],
    ['a pod being deleted', deleting, runnerPod([]), 'kill'],
    ['a pod gone from the API', undefined, runnerPod([]), 'kill'],
  ];
  for (const [what, api, runner, expected] of cases) {
    it(`${what} -> ${expected}`, () => expect(podWorkerOperation(api, runner)).to.equal(expected));
  }
});

describe('walltimeRemainingSeconds', () => {
  const cases: Array<[number | undefined, number, number | undefined]> = [
    [undefined, 1000, undefined],
    [61_000, 1000, 60],
    [1500, 1000, 0.5],
    [1000, 5000, 0],
  ];
  for (const [deadline, now, expected] of cases) {
    it(`deadline ${deadline} at ${now} -> ${expected}`, () =>
      expect(walltimeRemainingSeconds(deadline, now)).to.equal(expected));
  }
});
