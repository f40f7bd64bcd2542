import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerState__Output } from '../../../src/generated/vkcmd/runner/v1/ContainerState.js';
import type { ContainerStatus__Output } from '../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import { computePodStatus, type PodStatusInputs } from '../../../src/kubelet/pods/pod-status.js';

const T0 = Date.parse('2025-01-02T03:04:05Z');

const running = (): ContainerState__Output => ({ state: 'running', running: { startedAtMs: T0 } });
const terminated = (exitCode: number, reason: string, message = ''): ContainerState__Output => ({
  state: 'terminated',
  terminated: { exitCode, signal: 0, reason, message, startedAtMs: T0, finishedAtMs: T0 + 5000 },
});
const waiting = (reason: string, message = ''): ContainerState__Output => ({
  state: 'waiting',
  waiting: { reason, message },
});

function cs(
  name: string,
  state: ContainerState__Output,
  extra: Partial<ContainerStatus__Output> = {},
): ContainerStatus__Output {
  return {
    name,
    state,
    lastState: null as unknown as ContainerState__Output,
    restartCount: 0,
    pgid: 100,
    image: 'img',
    ...extra,
  };
}

function apiPod(restartPolicy = 'Never', init = false): V1Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      restartPolicy,
      ...(init ? { initContainers: [{ name: 'init', image: 'i' }] } : {}),
      containers: [{ name: 'c1', image: 'img' }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  };
}

function runnerPod(containers: ContainerStatus__Output[], init: ContainerStatus__Output[] = []): Pod__Output {
  return {
    uid: 'u',
    namespace: 'ns',
    name: 'p',
    containerStatuses: containers,
    initContainerStatuses: init,
    createdAtMs: T0,
    deleting: false,
    revision: 1,
    restartPolicy: 'Never',
  };
}

function status(overrides: Partial<PodStatusInputs>) {
  return computePodStatus({
    pod: apiPod(),
    runnerPod: undefined,
    hostIp: '10.0.0.1',
    nowMs: T0 + 10_000,
    firstSeenMs: T0,
    ignoreRestartPolicy: false,
    ...overrides,
  });
}

const cond = (s: ReturnType<typeof status>, type: string) => s.conditions?.find((c) => c.type === type);

describe('computePodStatus: phase, reasons and conditions from runner states', () => {
  const table: Array<{
    name: string;
    policy?: string;
    ignore?: boolean;
    state: ContainerState__Output;
    extra?: Partial<ContainerStatus__Output>;
    phase: string;
    ready: [string, string | undefined];
    exitCode?: number;
    reason?: string;
  }> = [
    { name: 'running', state: running(), phase: 'Running', ready: ['True', undefined] },
    {
      name: 'Completed/0 (Never)',
      state: terminated(0, 'Completed'),
      phase: 'Succeeded',
      ready: ['False', 'PodCompleted'],
      exitCode: 0,
      reason: 'Completed',
    },
    {
      name: 'stderrNotEmpty/3 (Never)',
      state: terminated(3, 'stderrNotEmpty', 'The stderr file is not empty.'),
      phase: 'Failed',
      ready: ['False', 'PodFailed'],
      exitCode: 3,
      reason: 'stderrNotEmpty',
    },
    {
      name: 'Error/7 (Never)',
      state: terminated(7, 'Error'),
      phase: 'Failed',
      ready: ['False', 'PodFailed'],
      exitCode: 7,
      reason: 'Error',
    },
    {
      name: 'cmdStartError/1 (Never)',
      state: terminated(1, 'cmdStartError', 'cmd.Start() failed'),
      phase: 'Failed',
      ready: ['False', 'PodFailed'],
      exitCode: 1,
      reason: 'cmdStartError',
    },
    {
      name: 'getPidsError/2 (Never)',
      state: terminated(2, 'getPidsError', 'Error getting pids'),
      phase: 'Failed',
      ready: ['False', 'PodFailed'],
      exitCode: 2,
      reason: 'getPidsError',
    },
    {
      name: 'Completed/0 (Always) is Running while restarting',
      policy: 'Always',
      state: terminated(0, 'Completed'),
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'],
    },
    {
      name: 'Error/7 (OnFailure) is Running',
      policy: 'OnFailure',
      state: terminated(7, 'Error'),
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'],
    },
    {
      name: 'Completed/0 (OnFailure) is Succeeded',
      policy: 'OnFailure',
      state: terminated(0, 'Completed'),
      phase: 'Succeeded',
      ready: ['False', 'PodCompleted'],
    },
    {
      name: 'CrashLoopBackOff after a failure is Running',
      policy: 'Always',
      state: waiting('CrashLoopBackOff', 'back-off 10s restarting failed container=c1'),
      extra: { restartCount: 1, lastState: terminated(1, 'Error') },
      phase: 'Running',
      ready: ['False', 'ContainersNotReady'],
      reason: 'CrashLoopBackOff',
    },
    {
      name: 'waiting ContainerCreating is Pending',
      state: waiting('ContainerCreating'),
      phase: 'Pending',
      ready: ['False', 'ContainersNotReady'],
    },
    {
      name: '--ignore-restart-policy computes Always as Never',
      policy: 'Always',
      ignore: true,
      state: terminated(0, 'Completed'),
      phase: 'Succeeded',
      ready: ['False', 'PodCompleted'],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const s = status({
        pod: apiPod(t.policy ?? 'Never'),
        runnerPod: runnerPod([cs('c1', t.state, t.extra)]),
        ignoreRestartPolicy: t.ignore ?? false,
      });
      expect(s.phase).to.equal(t.phase);
      expect([cond(s, 'Ready')?.status, cond(s, 'Ready')?.reason]).to.deep.equal(t.ready);
      expect(cond(s, 'ContainersReady')?.status).to.equal(t.ready[0]);
      const c = s.containerStatuses![0]!;
      if (t.exitCode !== undefined) expect(c.state?.terminated?.exitCode).to.equal(t.exitCode);
      if (t.reason) expect(c.state?.terminated?.reason ?? c.state?.waiting?.reason).to.equal(t.reason);
      expect(c.ready).to.equal(t.state.state === 'running');
      expect(c.containerID).to.equal('vk-cmd://ns_p_c1_100');
    });
  }

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
    const failed = status({
      pod: apiPod('Never', true),
      runnerPod: runnerPod(
        [cs('c1', waiting('PodInitializing'))],
        [cs('init', terminated(1, 'cmdStartError'))],
      ),
    });
    expect(failed.phase).to.equal('Failed');
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
      lastTransitionTime: '2020-01-01T00:00:00Z' as unknown as Date,
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
        state: { running: { startedAt: '2025-01-01T00:00:00Z' as unknown as Date } },
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
});
