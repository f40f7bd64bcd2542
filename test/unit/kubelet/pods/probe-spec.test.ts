import { expect } from 'chai';
import type { WireContainer, WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import {
  expandStatic,
  resolveContainerPort,
  runnerHealthFields,
  toRunnerHandler,
} from '../../../../src/kubelet/pods/probe-spec.js';
import { buildRunnerPodSpec } from '../../../../src/kubelet/pods/runner-pod-spec.js';

const container: WireContainer = {
  name: 'web',
  image: 'img',
  ports: [
    { name: 'http', containerPort: 8080 },
    { name: 'grpc', containerPort: 9090 },
  ],
  env: [
    { name: 'FILE', value: '/tmp/ready' },
    { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
  ],
};
const pod: WirePod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { containers: [container] },
};

describe('probe spec: what the kubelet sends the runner', () => {
  it('resolves ports as probe.ResolveContainerPort: a number, a name, a number written as a string', () => {
    expect(resolveContainerPort(80, container)).to.deep.equal({ ok: true, port: 80 });
    expect(resolveContainerPort('http', container)).to.deep.equal({ ok: true, port: 8080 });
    expect(resolveContainerPort('8081', container)).to.deep.equal({ ok: true, port: 8081 });
    expect(resolveContainerPort(0, container)).to.deep.equal({
      ok: false,
      message: 'invalid port number: 0',
    });
    expect(resolveContainerPort('metrics', container)).to.deep.equal({
      ok: false,
      message: 'port "metrics" is neither a number nor the name of a port of container web',
    });
  });

  it('expands $(VAR) in exec commands from static env values only', () => {
    expect(expandStatic(['test', '-f', '$(FILE)', '$(SECRET)', '$(NOPE)'], container)).to.deep.equal([
      'test',
      '-f',
      '/tmp/ready',
      '',
      '$(NOPE)',
    ]);
  });

  it('converts every handler, with what cannot run marked as an error instead of refusing the pod', () => {
    expect(
      toRunnerHandler({ httpGet: { port: 'http', path: '/healthz' } }, container, pod, 'probe'),
    ).to.deep.equal({
      httpGet: { scheme: '', host: '', port: 8080, path: '/healthz', headers: [] },
    });
    expect(toRunnerHandler({ tcpSocket: { port: 'nope' } }, container, pod, 'probe')).to.deep.equal({
      tcpSocket: { host: '', port: 0 },
      error: 'port "nope" is neither a number nor the name of a port of container web',
    });
    expect(toRunnerHandler({ grpc: { port: 9090, service: 'db' } }, container, pod, 'probe')).to.deep.equal({
      grpc: { port: 9090, service: 'db' },
    });
    expect(toRunnerHandler({}, container, pod, 'probe')).to.deep.equal({
      error: 'missing probe handler for p_ns(u1):web',
    });
    expect(toRunnerHandler({ sleep: { seconds: 3 } }, container, pod, 'hook')).to.deep.equal({
      sleep: { seconds: 3 },
    });
    expect(toRunnerHandler({ tcpSocket: { port: 80 } }, container, pod, 'hook')).to.deep.equal({
      error: 'invalid handler: tcpSocket is not supported in a lifecycle hook',
    });
  });

  it('probes keep their settings; unset ones go as zero (the runner applies the defaults)', () => {
    const fields = runnerHealthFields(
      {
        ...container,
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        livenessProbe: { httpGet: { port: 8080 }, failureThreshold: 1, terminationGracePeriodSeconds: 5 },
        lifecycle: { preStop: { exec: { command: ['stop'] } } },
      },
      pod,
    );
    expect(fields.readinessProbe).to.deep.equal({
      handler: { exec: { command: ['true'] } },
      initialDelaySeconds: 0,
      periodSeconds: 1,
      timeoutSeconds: 0,
      successThreshold: 0,
      failureThreshold: 0,
    });
    expect(fields.livenessProbe?.terminationGracePeriodSeconds).to.equal(5);
    expect(fields.startupProbe).to.equal(undefined);
    expect(fields.lifecycle).to.deep.equal({ preStop: { exec: { command: ['stop'] } } });
  });

  it("the CreatePod request carries app containers' probes and the pod's grace period", () => {
    const withProbe: WirePod = {
      ...pod,
      spec: {
        terminationGracePeriodSeconds: 12,
        initContainers: [{ name: 'init', image: 'i', command: ['true'] }],
        containers: [
          {
            ...container,
            env: [{ name: 'FILE', value: '/tmp/ready' }],
            command: ['sleep', '9'],
            readinessProbe: { tcpSocket: { port: 'http' } },
          },
        ],
      },
    };
    const { spec } = buildRunnerPodSpec(
      withProbe,
      { configMaps: new Map(), secrets: new Map() },
      {
        hostIp: '10.0.0.1',
        podIp: '10.0.0.1',
        allocatable: { cpu: '1', memory: '1', 'ephemeral-storage': '1' },
        ignoreRestartPolicy: false,
      },
    );
    expect(spec.terminationGracePeriodSeconds).to.equal(12);
    expect(spec.containers?.[0]?.readinessProbe?.handler).to.deep.equal({
      tcpSocket: { host: '', port: 8080 },
    });
    expect(spec.initContainers?.[0]).to.not.have.property('readinessProbe');
  });
});
