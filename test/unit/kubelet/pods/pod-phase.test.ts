import { expect } from 'chai';
import type { WireContainer, WireContainerStatus } from '../../../../src/kubelet/kube/wire-types.js';
import { getPhase, type PodPhase } from '../../../../src/kubelet/pods/pod-phase.js';

const T = '2025-01-01T00:00:00Z';

// Container statuses in API form, as getPhase reads them.
const run = (name: string, started = true): WireContainerStatus => ({
  name,
  image: 'i',
  imageID: '',
  ready: started,
  restartCount: 0,
  started,
  state: { running: { startedAt: T } },
});
const exited = (name: string, exitCode: number): WireContainerStatus => ({
  name,
  image: 'i',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, startedAt: T, finishedAt: T } },
});
const wait = (name: string, lastExitCode?: number): WireContainerStatus => ({
  name,
  image: 'i',
  imageID: '',
  ready: false,
  restartCount: lastExitCode === undefined ? 0 : 1,
  state: { waiting: { reason: lastExitCode === undefined ? 'ContainerCreating' : 'CrashLoopBackOff' } },
  ...(lastExitCode === undefined
    ? {}
    : { lastState: { terminated: { exitCode: lastExitCode, startedAt: T, finishedAt: T } } }),
});
const noState = (name: string): WireContainerStatus => ({
  name,
  image: 'i',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: {},
});

const c = (name: string): WireContainer => ({ name, image: 'i' });
const sidecar = (name: string): WireContainer => ({ name, image: 'i', restartPolicy: 'Always' });

interface Case {
  name: string;
  policy: 'Always' | 'OnFailure' | 'Never';
  init?: WireContainer[];
  containers?: WireContainer[];
  statuses: WireContainerStatus[];
  terminal?: boolean;
  initialized?: boolean;
  want: PodPhase;
}

// Mirrors the cases of Kubernetes 1.33's TestPodPhase* tests for getPhase.
const CASES: Case[] = [
  { name: 'all running', policy: 'Always', statuses: [run('a'), run('b')], want: 'Running' },
  {
    name: 'all stopped, Always: restarting',
    policy: 'Always',
    statuses: [exited('a', 0), exited('b', 1)],
    want: 'Running',
  },
  {
    name: 'all stopped with 0, Never',
    policy: 'Never',
    statuses: [exited('a', 0), exited('b', 0)],
    want: 'Succeeded',
  },
  {
    name: 'all stopped, one failed, Never',
    policy: 'Never',
    statuses: [exited('a', 0), exited('b', 2)],
    want: 'Failed',
  },
  {
    name: 'all stopped with 0, OnFailure',
    policy: 'OnFailure',
    statuses: [exited('a', 0), exited('b', 0)],
    want: 'Succeeded',
  },
  {
    name: 'one failed, OnFailure: restarting',
    policy: 'OnFailure',
    statuses: [exited('a', 0), exited('b', 2)],
    want: 'Running',
  },
  {
    name: 'mixed running and stopped',
    policy: 'Never',
    statuses: [run('a'), exited('b', 0)],
    want: 'Running',
  },
  { name: 'one status missing', policy: 'Always', statuses: [run('a')], want: 'Pending' },
  { name: 'one without any state', policy: 'Always', statuses: [run('a'), noState('b')], want: 'Pending' },
  { name: 'one waiting to start', policy: 'Always', statuses: [run('a'), wait('b')], want: 'Pending' },
  {
    name: 'one in back-off after an exit, Always',
    policy: 'Always',
    statuses: [run('a'), wait('b', 1)],
    want: 'Running',
  },
  {
    name: 'all in back-off, OnFailure',
    policy: 'OnFailure',
    statuses: [wait('a', 1), wait('b', 1)],
    want: 'Running',
  },
  {
    name: 'back-off after exit 0 and a success, Never',
    policy: 'Never',
    statuses: [wait('a', 0), exited('b', 0)],
    want: 'Failed',
  },
  {
    name: 'terminal pod, Always, all exited 0',
    policy: 'Always',
    statuses: [exited('a', 0), exited('b', 0)],
    terminal: true,
    want: 'Succeeded',
  },
  {
    name: 'terminal pod, Always, one failed',
    policy: 'Always',
    statuses: [exited('a', 0), exited('b', 137)],
    terminal: true,
    want: 'Failed',
  },
  {
    name: 'terminal pod, still running',
    policy: 'Always',
    statuses: [run('a'), exited('b', 0)],
    terminal: true,
    want: 'Running',
  },
  // Regular init containers.
  {
    name: 'init running',
    policy: 'Always',
    init: [c('i')],
    statuses: [run('i'), wait('a'), wait('b')],
    want: 'Pending',
  },
  {
    name: 'init status missing',
    policy: 'Always',
    init: [c('i')],
    statuses: [wait('a'), wait('b')],
    want: 'Pending',
  },
  {
    name: 'init completed, containers running',
    policy: 'Always',
    init: [c('i')],
    statuses: [exited('i', 0), run('a'), run('b')],
    want: 'Running',
  },
  {
    name: 'init failed, Never',
    policy: 'Never',
    init: [c('i')],
    statuses: [exited('i', 1), wait('a'), wait('b')],
    want: 'Failed',
  },
  {
    name: 'init failed, OnFailure: retried',
    policy: 'OnFailure',
    init: [c('i')],
    statuses: [wait('i', 1), wait('a'), wait('b')],
    want: 'Pending',
  },
  {
    name: 'init in back-off, Never',
    policy: 'Never',
    init: [c('i')],
    statuses: [wait('i', 1), wait('a'), wait('b')],
    want: 'Failed',
  },
  {
    // 1.33: a pending regular init container means Pending even after regular containers ran
    // (the <= 1.30 shape called this Running).
    name: 'init re-running while a container has started',
    policy: 'Always',
    init: [c('i')],
    statuses: [run('i'), run('a'), exited('b', 0)],
    initialized: true,
    want: 'Pending',
  },
  // Sidecars (restartable init containers).
  {
    name: 'sidecar running, not started, not initialized',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [run('s', false), wait('a'), wait('b')],
    want: 'Pending',
  },
  {
    name: 'sidecar started, containers running',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [run('s'), run('a'), run('b')],
    want: 'Running',
  },
  {
    // 1.33 decides with podHasInitialized; the <= 1.30 shape looked at the statuses and said Running.
    name: 'sidecar restarting (not started) before the pod initialized',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [run('s', false), run('a'), run('b')],
    initialized: false,
    want: 'Pending',
  },
  {
    name: 'sidecar restarting (not started) after the pod initialized',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [run('s', false), run('a'), run('b')],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'sidecar waiting to start',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [wait('s'), run('a'), run('b')],
    initialized: true,
    want: 'Pending',
  },
  {
    name: 'sidecar in back-off is ignored',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [wait('s', 1), run('a'), run('b')],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'sidecar status missing',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [run('a'), run('b')],
    initialized: true,
    want: 'Pending',
  },
  {
    name: 'sidecar without state',
    policy: 'Always',
    init: [sidecar('s')],
    statuses: [noState('s'), run('a'), run('b')],
    initialized: true,
    want: 'Pending',
  },
  {
    name: 'terminated sidecar does not count, Never',
    policy: 'Never',
    init: [sidecar('s')],
    statuses: [exited('s', 143), exited('a', 0), exited('b', 0)],
    initialized: true,
    want: 'Succeeded',
  },
  {
    name: 'sidecar running, containers done, Never',
    policy: 'Never',
    init: [sidecar('s')],
    statuses: [run('s'), exited('a', 0), exited('b', 0)],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'sidecar and regular init, init failed, Never',
    policy: 'Never',
    init: [sidecar('s'), c('i')],
    statuses: [run('s'), exited('i', 1), wait('a'), wait('b')],
    want: 'Failed',
  },
];

describe('getPhase (Kubernetes 1.33)', () => {
  for (const t of CASES) {
    it(`${t.name} -> ${t.want}`, () => {
      const spec = { initContainers: t.init ?? [], containers: t.containers ?? [c('a'), c('b')] };
      expect(getPhase(spec, t.policy, t.statuses, t.terminal ?? false, t.initialized ?? false)).to.equal(
        t.want,
      );
    });
  }
});
