import { expect } from 'chai';
import type { AddEphemeralContainerRequest__Output } from '../../../../src/generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { Container__Output } from '../../../../src/generated/vkcmd/runner/v1/Container.js';
import { planEphemeralContainer } from '../../../../src/runner/pods/ephemeral-container.js';
import { emptySettings } from '../../../../src/runner/security/security-decision.js';
import { USER_RUNNER_SECURITY } from '../support/fake-world.js';
import {
  podToProto,
  waiting,
  type ContainerRecord,
  type PodRecord,
} from '../../../../src/runner/pods/pod-record.js';

function container(over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    name: 'c1',
    init: false,
    image: '',
    dir: '/r/ns/p/containers/c1',
    launch: {
      argv: ['/bin/sleep', '1'],
      cwd: '/r/ns/p/containers/c1/work',
      podEnv: [
        { name: 'A', value: 'target' },
        { name: 'VK_CMD_CONTAINER_NAME', value: 'c1' },
      ],
    },
    setupError: undefined,
    state: { state: 'running', running: { startedAtMs: 1 } },
    lastState: undefined,
    restartCount: 0,
    pgid: 100,
    leaderStartTicks: 1,
    bootId: 'b',
    backoffMs: 0,
    restartAtMs: 0,
    ...over,
  };
}

function pod(containers: ContainerRecord[], over: Partial<PodRecord> = {}): PodRecord {
  return {
    version: 1,
    uid: 'u1',
    namespace: 'ns',
    name: 'p',
    restartPolicy: 'Always',
    createdAtMs: 1,
    podDir: '/r/ns/p',
    podDirWritten: true,
    containers,
    deleting: false,
    deleteStartedAtMs: 0,
    gracePeriodSeconds: 0,
    ...over,
  };
}

function request(c: Partial<Container__Output>, target = ''): AddEphemeralContainerRequest__Output {
  return {
    uid: 'u1',
    targetContainer: target,
    container: {
      name: 'debug',
      image: 'busybox',
      command: [],
      args: [],
      workingDir: '',
      env: [],
      volumeMounts: [],
      stdin: false,
      stdinOnce: false,
      tty: false,
      memoryLimitBytes: 0,
      cpuLimitMillis: 0,
      ephemeralStorageLimitBytes: 0,
      memoryRequestBytes: 0,
      cpuRequestMillis: 0,
      ephemeralStorageRequestBytes: 0,
      startupProbe: null,
      readinessProbe: null,
      livenessProbe: null,
      lifecycle: null,
      securityContext: null,
      ...c,
    },
  };
}

const env = (record: ContainerRecord): Record<string, string> =>
  Object.fromEntries(record.launch!.podEnv.map((e) => [e.name, e.value]));

describe('pods/ephemeral-container', () => {
  it("takes the target's working directory and env, then its own env and identity", () => {
    const plan = planEphemeralContainer(
      pod([container()]),
      request({ command: ['echo', '$(A)'], env: [{ name: 'B', value: 'own' }] }, 'c1'),
      'boot',
    );
    if (plan.kind !== 'add') throw new Error('expected a container');
    const c = plan.container;
    expect(c).to.deep.include({
      name: 'debug',
      ephemeral: true,
      dir: '/r/ns/p/containers/debug',
      bootId: 'boot',
    });
    expect(c.state).to.deep.equal(waiting('ContainerCreating'));
    expect(c.launch!.argv).to.deep.equal(['echo', 'target']);
    expect(c.launch!.cwd).to.equal('/r/ns/p/containers/c1/work');
    expect(env(c)).to.include({
      A: 'target',
      B: 'own',
      VK_CMD_CONTAINER_NAME: 'debug',
      VK_CMD_POD_UID: 'u1',
    });
  });

  it('runs sh in the pod directory without a target or a command', () => {
    const plan = planEphemeralContainer(pod([container()]), request({ workingDir: 'sub' }), 'b');
    if (plan.kind !== 'add') throw new Error('expected a container');
    expect(plan.container.launch).to.deep.include({ argv: ['sh'], cwd: '/r/ns/p/sub' });
    expect(env(plan.container)).to.not.have.property('A');
  });

  it("decides its security settings as any container's: a user it cannot become is refused, never started", () => {
    const plan = planEphemeralContainer(
      pod([container()]),
      request({ securityContext: { ...emptySettings(), runAsUser: 1234 } }),
      'b',
      USER_RUNNER_SECURITY,
    );
    if (plan.kind !== 'add') throw new Error('expected a container');
    expect(plan.container.securityRefusal).to.equal(
      'runAsUser 1234 cannot be honoured: the runner runs as uid 1000 and cannot change user',
    );
    expect(plan.container.state).to.deep.equal({
      state: 'waiting',
      waiting: { reason: 'CreateContainerConfigError', message: plan.container.securityRefusal },
    });
  });

  it('is idempotent per name', () => {
    const existing = container({ name: 'debug', ephemeral: true });
    expect(planEphemeralContainer(pod([container(), existing]), request({}), 'b')).to.deep.equal({
      kind: 'exists',
    });
  });

  const refusals: Array<{
    name: string;
    record: PodRecord;
    req: AddEphemeralContainerRequest__Output;
    want: RegExp;
  }> = [
    {
      name: 'no container',
      record: pod([container()]),
      req: { uid: 'u1', targetContainer: '', container: null },
      want: /^container: must be set$/,
    },
    {
      name: 'a bad name',
      record: pod([container()]),
      req: request({ name: 'X' }),
      want: /must be a DNS label/,
    },
    {
      name: "a regular container's name",
      record: pod([container()]),
      req: request({ name: 'c1' }),
      want: /is used by another container/,
    },
    {
      name: 'an unknown target',
      record: pod([container()]),
      req: request({}, 'zz'),
      want: /"zz" is not a container of pod ns\/p/,
    },
    {
      name: 'a deleting pod',
      record: pod([container()], { deleting: true }),
      req: request({}),
      want: /^pod ns\/p is not running$/,
    },
    {
      name: 'a pod with nothing running',
      record: pod([container({ state: waiting('CrashLoopBackOff') })]),
      req: request({}),
      want: /^pod ns\/p is not running$/,
    },
    {
      name: 'a bad env name',
      record: pod([container()]),
      req: request({ env: [{ name: 'A=B', value: '' }] }),
      want: /env\[0\]\.name/,
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      expect(() => planEphemeralContainer(r.record, r.req, 'b')).to.throw(r.want);
    });
  }

  it('reports ephemeral containers apart from the app containers', () => {
    const proto = podToProto(pod([container(), container({ name: 'debug', ephemeral: true })]), 3);
    expect(proto.containerStatuses!.map((s) => s.name)).to.deep.equal(['c1']);
    expect(proto.ephemeralContainerStatuses!.map((s) => s.name)).to.deep.equal(['debug']);
  });
});
