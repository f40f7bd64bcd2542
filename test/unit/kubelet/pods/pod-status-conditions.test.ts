import { expect } from 'chai';
import {
  apiPod,
  cond,
  cs,
  runnerPod,
  running,
  status,
  terminated,
  waiting,
} from '../support/pod-fixtures.js';

describe('computePodStatus: conditions, init containers, times and lost pods', () => {
  it('CreateContainerConfigError keeps the pod Pending with the message on the container', () => {
    const s = status({ configError: { message: 'configmap "direct-stress" not found', containers: ['c1'] } });
    expect(s.phase).to.equal('Pending');
    expect(s.containerStatuses![0]!.state!.waiting).to.deep.equal({
      reason: 'CreateContainerConfigError',
      message: 'configmap "direct-stress" not found',
    });
    expect(cond(s, 'PodReadyToStartContainers')?.status).to.equal('False');
    expect(cond(s, 'Ready')?.message).to.equal('containers with unready status: [c1]');
  });

  it('init containers: Initialized False until they complete, regular containers PodInitializing', () => {
    const s = status({
      pod: apiPod('Never', true),
      runnerPod: runnerPod([cs('c1', waiting('PodInitializing'))], [cs('init', running())]),
    });
    expect(s.phase).to.equal('Pending');
    expect(cond(s, 'Initialized')).to.include({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init]',
    });
    const done = status({
      pod: apiPod('Never', true),
      runnerPod: runnerPod([cs('c1', running())], [cs('init', terminated(0, 'Completed'))]),
    });
    expect(done.phase).to.equal('Running');
    expect(cond(done, 'Initialized')?.status).to.equal('True');
    expect(done.initContainerStatuses![0]!.state!.terminated!.reason).to.equal('Completed');
    // The prober manager's UpdatePodStatus: a completed init container is ready, not started.
    expect(done.initContainerStatuses![0]).to.include({ ready: true, started: false });
    const failed = status({
      pod: apiPod('Never', true),
      runnerPod: runnerPod(
        [cs('c1', waiting('PodInitializing'))],
        [cs('init', terminated(1, 'cmdStartError'))],
      ),
    });
    expect(failed.phase).to.equal('Failed');
    expect(failed.initContainerStatuses![0]).to.include({ ready: false, started: false });
    const before = status({ pod: apiPod('Never', true) });
    expect(before.containerStatuses![0]!.state!.waiting!.reason).to.equal('PodInitializing');
  });

  it('fills IPs, times, qosClass and PodScheduled only when missing', () => {
    const s = status({ runnerPod: runnerPod([cs('c1', running())]) });
    expect(s).to.include({ hostIP: '10.0.0.1', podIP: '10.0.0.1', qosClass: 'BestEffort' });
    expect(s.podIPs).to.deep.equal([{ ip: '10.0.0.1' }]);
    expect(s.startTime).to.equal('2025-01-02T03:04:05Z');
    expect(s.containerStatuses![0]!.state!.running!.startedAt).to.equal('2025-01-02T03:04:05Z');
    expect(cond(s, 'PodScheduled')).to.equal(undefined);
    const unscheduled = apiPod();
    unscheduled.status = {};
    expect(cond(status({ pod: unscheduled }), 'PodScheduled')?.status).to.equal('True');
  });

  it('keeps lastTransitionTime when a condition status does not change', () => {
    const pod = apiPod();
    pod.status!.conditions!.push({
      type: 'Ready',
      status: 'False',
      lastTransitionTime: '2020-01-01T00:00:00Z',
    });
    const s = status({ pod, configError: { message: 'x', containers: [] } });
    expect(cond(s, 'Ready')?.lastTransitionTime).to.equal('2020-01-01T00:00:00Z');
    const changed = status({ pod, runnerPod: runnerPod([cs('c1', running())]) });
    expect(cond(changed, 'Ready')?.lastTransitionTime).to.equal('2025-01-02T03:04:15Z');
  });

  it('never reverts a terminal phase', () => {
    const pod = apiPod('Always');
    pod.status!.phase = 'Succeeded';
    expect(status({ pod, runnerPod: runnerPod([cs('c1', running())]) }).phase).to.equal('Succeeded');
  });

  it('a lost pod is Failed/RunnerLostPod with ContainerStatusUnknown containers', () => {
    const pod = apiPod();
    pod.status!.phase = 'Running';
    pod.status!.containerStatuses = [
      {
        name: 'c1',
        image: 'img',
        imageID: '',
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
        containerID: 'vk-cmd://ns_p_c1_9',
      },
    ];
    const s = status({ pod, lost: true });
    expect(s.phase).to.equal('Failed');
    expect(s.reason).to.equal('RunnerLostPod');
    const t = s.containerStatuses![0]!.state!.terminated!;
    expect(t).to.include({
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      startedAt: '2025-01-01T00:00:00Z',
    });
  });

  it('a deleted pod whose containers were killed is terminal (podIsTerminal)', () => {
    const s = status({
      pod: apiPod('Always'),
      runnerPod: runnerPod([cs('c1', terminated(143, 'Error'))]),
      terminal: true,
    });
    expect(s.phase).to.equal('Failed');
  });

  it('restartCount and lastState come from the runner', () => {
    const s = status({
      pod: apiPod('Always'),
      runnerPod: runnerPod([cs('c1', running(), { restartCount: 2, lastState: terminated(0, 'Completed') })]),
    });
    expect(s.containerStatuses![0]!.restartCount).to.equal(2);
    expect(s.containerStatuses![0]!.lastState!.terminated!.reason).to.equal('Completed');
  });

  it('a completed init container is ready only with exit code 0; a running one is started, not ready', () => {
    const table: Array<[string, ReturnType<typeof running>, boolean, boolean]> = [
      ['Completed/0', terminated(0, 'Completed'), true, false],
      ['Error/1', terminated(1, 'Error'), false, false],
      ['stderrNotEmpty/3', terminated(3, 'stderrNotEmpty'), false, false],
      ['running', running(), false, true],
      ['waiting', waiting('PodInitializing'), false, false],
    ];
    for (const [title, state, ready, started] of table) {
      const s = status({
        pod: apiPod('OnFailure', true),
        runnerPod: runnerPod([cs('c1', waiting('PodInitializing'))], [cs('init', state)]),
      });
      expect(s.initContainerStatuses![0], title).to.include({ ready, started });
      expect(cond(s, 'Initialized')?.status, title).to.equal(ready ? 'True' : 'False');
    }
  });

  it('keeps the reason and message of an unchanged phase, whoever wrote them, and drops them on a new phase', () => {
    const pod = apiPod();
    pod.status = { ...pod.status, phase: 'Running', reason: 'SomeReason', message: 'set elsewhere' };
    const same = status({ pod, runnerPod: runnerPod([cs('c1', running())]) });
    expect(same).to.include({ phase: 'Running', reason: 'SomeReason', message: 'set elsewhere' });
    const next = status({ pod, runnerPod: runnerPod([cs('c1', terminated(0, 'Completed'))]) });
    expect(next.phase).to.equal('Succeeded');
    expect(next.reason).to.equal(undefined);
    expect(next.message).to.equal(undefined);
  });

  it('a restarting sidecar does not put an initialized pod back to Pending', () => {
    const pod = apiPod('Always');
    pod.spec!.initContainers = [{ name: 'side', image: 's', restartPolicy: 'Always' }];
    const restarting = cs('side', waiting('CrashLoopBackOff'), {
      restartCount: 1,
      lastState: terminated(1, 'Error'),
    });
    const s = status({ pod, runnerPod: runnerPod([cs('c1', running())], [restarting]) });
    expect(s.phase).to.equal('Running');
    expect(cond(s, 'Initialized')?.status).to.equal('True');
    const startedSidecar = status({
      pod,
      runnerPod: runnerPod([cs('c1', waiting('PodInitializing'))], [cs('side', running())]),
    });
    expect(startedSidecar.initContainerStatuses![0]).to.include({ ready: true, started: true });
  });
});
