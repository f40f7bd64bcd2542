import { expect } from 'chai';
import type { ProbeReport__Output } from '../../../../src/generated/vkcmd/runner/v1/ProbeReport.js';
import { lifecycleEvents, probeEvents } from '../../../../src/kubelet/pods/probe-events.js';
import {
  declaresContainerPorts,
  findPortConflicts,
  portConflictEvent,
} from '../../../../src/kubelet/pods/port-conflicts.js';
import { apiPod, cs, runnerPod, running, terminated } from '../support/pod-fixtures.js';

const withPolicy = (containers: Parameters<typeof runnerPod>[0], restartPolicy: string) => ({
  ...runnerPod(containers),
  restartPolicy,
});

const report = (over: Partial<ProbeReport__Output>): ProbeReport__Output => ({
  probeType: 'Readiness',
  failures: 0,
  lastFailure: '',
  errors: 0,
  lastError: '',
  warnings: 0,
  lastWarning: '',
  ...over,
});

describe('probe and lifecycle events: worded as the kubelet words them', () => {
  it('Unhealthy for failed and errored runs, ProbeWarning for warnings, counting runs since the last push', () => {
    const rp = runnerPod([
      cs('c1', running(), {
        restartCount: 2,
        probeReports: [
          report({
            probeType: 'Liveness',
            failures: 3,
            lastFailure: 'HTTP probe failed with statuscode: 500',
          }),
          report({ probeType: 'Readiness', errors: 1, lastError: 'port "http" not found' }),
          report({
            probeType: 'Startup',
            warnings: 1,
            lastWarning: 'Probe terminated redirects, Response body: ',
          }),
        ],
      }),
    ]);
    const first = probeEvents(apiPod(), rp, new Map([['c1/2/Liveness/failed', 1]]));
    expect(first.events).to.deep.equal([
      {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Liveness probe failed: HTTP probe failed with statuscode: 500',
        fieldPath: 'spec.containers{c1}',
        count: 2,
      },
      {
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe errored and resulted in unknown state: port "http" not found',
        fieldPath: 'spec.containers{c1}',
        count: 1,
      },
      {
        type: 'Warning',
        reason: 'ProbeWarning',
        message: 'Startup probe warning: Probe terminated redirects, Response body: ',
        fieldPath: 'spec.containers{c1}',
        count: 1,
      },
    ]);
    expect(probeEvents(apiPod(), rp, first.seen).events).to.deep.equal([]);
  });

  it('a new run starts counting again; the counts of runs that ended are dropped', () => {
    const rp = runnerPod([
      cs('c1', running(), { restartCount: 3, probeReports: [report({ failures: 1, lastFailure: 'x' })] }),
    ]);
    const r = probeEvents(apiPod(), rp, new Map([['c1/2/Readiness/failed', 5]]));
    expect(r.events.map((e) => e.count)).to.deep.equal([1]);
    expect([...r.seen.keys()]).to.deep.equal(['c1/3/Readiness/failed']);
  });

  it('a liveness stop: Killing with "will be restarted" unless the policy is Never', () => {
    const stopping = cs('c1', running(), { stopReason: 'LivenessProbe', restartCount: 1 });
    expect(lifecycleEvents(apiPod(), withPolicy([stopping], 'Always'))).to.deep.equal([
      {
        key: 'killing/c1/1/LivenessProbe',
        event: {
          type: 'Normal',
          reason: 'Killing',
          message: 'Container c1 failed liveness probe, will be restarted',
          fieldPath: 'spec.containers{c1}',
        },
      },
    ]);
    const never = lifecycleEvents(apiPod(), withPolicy([stopping], 'Never'));
    expect(never[0]!.event.message).to.equal('Stopping container c1');
    const withSibling = lifecycleEvents(apiPod(), withPolicy([stopping, cs('c2', running())], 'Never'));
    expect(withSibling[0]!.event.message).to.equal('Container c1 failed liveness probe');
    const startup = cs('c1', running(), { stopReason: 'StartupProbe' });
    expect(lifecycleEvents(apiPod(), withPolicy([startup], 'OnFailure'))[0]!.event.message).to.equal(
      'Container c1 failed startup probe, will be restarted',
    );
  });

  it('hook failures: FailedPostStartHook then Killing "FailedPostStartHook"; FailedPreStopHook; no message leaks', () => {
    const post = cs('c1', terminated(143, 'Error'), {
      postStartFailed: true,
      stopReason: 'FailedPostStartHook',
    });
    expect(
      lifecycleEvents(apiPod(), runnerPod([post])).map((e) => [e.event.reason, e.event.message]),
    ).to.deep.equal([
      ['FailedPostStartHook', 'PostStartHook failed'],
      ['Killing', 'FailedPostStartHook'],
    ]);
    const pre = cs('c1', running(), { preStopFailed: true });
    expect(lifecycleEvents(apiPod(), runnerPod([pre]))).to.deep.equal([
      {
        key: 'prestop/c1/0',
        event: {
          type: 'Warning',
          reason: 'FailedPreStopHook',
          message: 'PreStopHook failed',
          fieldPath: 'spec.containers{c1}',
        },
      },
    ]);
  });

  it('port conflicts name the other pod that runs here and declares the same port and protocol', () => {
    const mine = apiPod();
    mine.spec!.containers[0]!.ports = [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }];
    const other = apiPod();
    other.metadata = { name: 'web-1', namespace: 'prod', uid: 'u2' };
    other.spec!.containers = [
      { name: 'srv', ports: [{ containerPort: 8080, protocol: 'TCP' }, { containerPort: 53 }] },
    ];
    const ended = apiPod();
    ended.metadata = { name: 'old', namespace: 'prod', uid: 'u3' };
    ended.status = { phase: 'Succeeded' };
    ended.spec!.containers = [{ name: 'srv', ports: [{ containerPort: 53, protocol: 'UDP' }] }];
    const conflicts = findPortConflicts(mine, [mine, other, ended]);
    expect(conflicts).to.deep.equal([
      {
        container: 'c1',
        port: 8080,
        protocol: 'TCP',
        other: { namespace: 'prod', name: 'web-1', container: 'srv' },
      },
    ]);
    expect(portConflictEvent(mine, conflicts[0]!)).to.deep.equal({
      type: 'Warning',
      reason: 'PortConflict',
      message:
        "containerPort 8080/TCP of container c1 is also declared by pod prod/web-1 (container srv), which runs on this node: pods on a vk-cmd node share the host's network, so only one of them can listen on it",
      fieldPath: 'spec.containers{c1}',
    });
  });

  describe('declaresContainerPorts: only a pod that declares ports is checked against the others', () => {
    const cases: Array<{
      name: string;
      ports: Array<Array<{ containerPort: number }> | undefined>;
      want: boolean;
    }> = [
      { name: 'no ports anywhere', ports: [undefined], want: false },
      { name: 'empty port lists', ports: [[], []], want: false },
      { name: 'the second container declares one', ports: [undefined, [{ containerPort: 80 }]], want: true },
      { name: 'the only container declares one', ports: [[{ containerPort: 8080 }]], want: true },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.want}`, () => {
        const pod = apiPod();
        pod.spec!.containers = c.ports.map((ports, i) => ({ name: `c${i}`, ...(ports ? { ports } : {}) }));
        expect(declaresContainerPorts(pod)).to.equal(c.want);
        // Consistent with findPortConflicts: a pod without ports never conflicts.
        if (!c.want) expect(findPortConflicts(pod, [pod])).to.deep.equal([]);
      });
    }
  });
});
