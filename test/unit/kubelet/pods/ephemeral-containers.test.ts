import { expect } from 'chai';
import { buildEphemeralContainerRequest } from '../../../../src/kubelet/pods/ephemeral-container-spec.js';
import { containerEvents } from '../../../../src/kubelet/pods/container-events.js';
import { ContainerConfigError } from '../../../../src/kubelet/errors.js';
import { apiPod, cs, running, runnerPod, status } from '../support/pod-fixtures.js';

const ctx = {
  hostIp: '10.0.0.9',
  podIp: '10.0.0.9',
  allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '1Ti' },
};
const none = { configMaps: new Map(), secrets: new Map() };

function debugged() {
  const pod = apiPod();
  pod.spec!.ephemeralContainers = [
    {
      name: 'debugger',
      image: 'busybox',
      command: ['bash'],
      env: [
        { name: 'WHO', value: '$(POD)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      stdin: true,
      tty: true,
      targetContainerName: 'c1',
    },
  ];
  return pod;
}

describe('ephemeral containers', () => {
  it('builds AddEphemeralContainer with the env resolved as for any container, stdin and tty, the target', () => {
    const request = buildEphemeralContainerRequest(debugged(), 'debugger', none, ctx);
    expect(request).to.deep.include({ uid: 'u', targetContainer: 'c1' });
    expect(request.container).to.deep.include({
      name: 'debugger',
      command: ['bash'],
      stdin: true,
      tty: true,
    });
    expect(request.container?.env).to.deep.include({ name: 'POD', value: 'p' });
    expect(() => buildEphemeralContainerRequest(debugged(), 'nope', none, ctx)).to.throw(
      ContainerConfigError,
    );
  });

  it('reports their statuses: waiting until the runner has them, never ready', () => {
    const pod = debugged();
    const waitingStatus = status({ pod, runnerPod: runnerPod([cs('c1', running())]) });
    expect(waitingStatus.ephemeralContainerStatuses?.[0]).to.deep.include({
      name: 'debugger',
      state: { waiting: { reason: 'ContainerCreating' } },
      ready: false,
    });
    const withDebugger = {
      ...runnerPod([cs('c1', running())]),
      ephemeralContainerStatuses: [cs('debugger', running())],
    };
    const runningStatus = status({ pod, runnerPod: withDebugger });
    expect(runningStatus.ephemeralContainerStatuses?.[0]).to.deep.include({
      name: 'debugger',
      ready: false,
      started: true,
    });
    expect(runningStatus.ephemeralContainerStatuses?.[0]?.state?.running).to.not.equal(undefined);
    expect(status({ pod: apiPod(), runnerPod: runnerPod([cs('c1', running())]) })).to.not.have.property(
      'ephemeralContainerStatuses',
    );
  });

  it('announces their start with their field path', () => {
    const pod = debugged();
    const events = containerEvents(pod, {
      ...runnerPod([]),
      ephemeralContainerStatuses: [cs('debugger', running())],
    });
    expect(events.map((e) => e.event)).to.deep.equal([
      {
        type: 'Normal',
        reason: 'Started',
        message: 'Started container debugger',
        fieldPath: 'spec.ephemeralContainers{debugger}',
      },
    ]);
  });
});
