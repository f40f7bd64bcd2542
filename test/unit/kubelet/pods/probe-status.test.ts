import { expect } from 'chai';
import { apiPod, cs, running, runnerPod, status, terminated, waiting } from '../support/pod-fixtures.js';

const conditions = (s: ReturnType<typeof status>) =>
  Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));

describe('pod status from probe results (started, ready, ContainersReady, Ready)', () => {
  it('a runner that runs no probes: started and ready while running, as before', () => {
    const s = status({ runnerPod: runnerPod([cs('c1', running())]) });
    expect(s.containerStatuses?.[0]).to.include({ started: true, ready: true });
    expect(conditions(s)).to.include({ ContainersReady: 'True', Ready: 'True' });
  });

  it('readiness not yet passed: started, not ready; ContainersReady and Ready False with the kubelet reason', () => {
    const s = status({ runnerPod: runnerPod([cs('c1', running(), { started: true, ready: false })]) });
    expect(s.containerStatuses?.[0]).to.include({ started: true, ready: false });
    const ready = s.conditions?.find((c) => c.type === 'Ready');
    expect(ready).to.include({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [c1]',
    });
    expect(conditions(s)).to.include({ ContainersReady: 'False' });
  });

  it('startup not yet passed: neither started nor ready', () => {
    const s = status({ runnerPod: runnerPod([cs('c1', running(), { started: false, ready: false })]) });
    expect(s.containerStatuses?.[0]).to.include({ started: false, ready: false });
  });

  it('ready from the runner only counts while running', () => {
    const s = status({
      runnerPod: runnerPod([cs('c1', terminated(1, 'Error'), { started: true, ready: true })]),
    });
    expect(s.containerStatuses?.[0]).to.include({ started: false, ready: false });
  });

  it('postStart still running: the runner reports ContainerCreating, so the container is waiting', () => {
    const s = status({
      runnerPod: runnerPod([cs('c1', waiting('ContainerCreating'), { started: false, ready: false })]),
    });
    expect(s.containerStatuses?.[0]?.state).to.deep.equal({ waiting: { reason: 'ContainerCreating' } });
    expect(s.phase).to.equal('Pending');
  });

  it('readiness gates: every container ready but a gate not True keeps Ready False; True lets it pass', () => {
    const gated = (gate: 'True' | 'False' | undefined) => {
      const pod = apiPod();
      pod.spec!.readinessGates = [{ conditionType: 'example.com/lb' }];
      pod.status!.conditions = [
        ...(pod.status!.conditions ?? []),
        ...(gate ? [{ type: 'example.com/lb', status: gate }] : []),
      ];
      return status({ pod, runnerPod: runnerPod([cs('c1', running(), { started: true, ready: true })]) });
    };
    expect(gated(undefined).conditions?.find((c) => c.type === 'Ready')).to.include({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
    });
    expect(gated('False').conditions?.find((c) => c.type === 'Ready')).to.include({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
    });
    expect(conditions(gated('True'))).to.include({ ContainersReady: 'True', Ready: 'True' });
  });
});
