import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { limitAnnotations } from '../../../../src/kubelet/node/limit-annotations.js';
import { containerEvents } from '../../../../src/kubelet/pods/container-events.js';
import { containerResources } from '../../../../src/kubelet/pods/container-resources.js';
import { unenforcedLimitEvents } from '../../../../src/kubelet/pods/limit-events.js';
import { cs, runnerPod, terminated, waiting } from '../support/pod-fixtures.js';

const MiB = 2 ** 20;

function podWith(limits: Array<Record<string, string>>): WirePod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      containers: limits.map((l, i) => ({ name: `c${i + 1}`, image: 'img', resources: { limits: l } })),
    },
  };
}

describe('limits on the kubelet side', () => {
  it('reads limits and requests in bytes and millicores; a missing request takes the limit', () => {
    expect(
      containerResources({
        resources: {
          limits: { memory: '128Mi', cpu: '200m', 'ephemeral-storage': '1Gi' },
          requests: { cpu: '0.1' },
        },
      }),
    ).to.deep.equal({
      memoryLimitBytes: 128 * MiB,
      cpuLimitMillis: 200,
      ephemeralStorageLimitBytes: 2 ** 30,
      memoryRequestBytes: 128 * MiB,
      cpuRequestMillis: 100,
      ephemeralStorageRequestBytes: 2 ** 30,
    });
    expect(containerResources({})).to.deep.equal({
      memoryLimitBytes: 0,
      cpuLimitMillis: 0,
      ephemeralStorageLimitBytes: 0,
      memoryRequestBytes: 0,
      cpuRequestMillis: 0,
      ephemeralStorageRequestBytes: 0,
    });
    expect(containerResources({ resources: { limits: { memory: '1.5G', cpu: '1' } } })).to.include({
      memoryLimitBytes: 1_500_000_000,
      cpuLimitMillis: 1000,
    });
  });

  it('annotates the Node with how limits are enforced, once the runner told', () => {
    expect(limitAnnotations(undefined)).to.deep.equal({});
    expect(
      limitAnnotations({
        cgroupMode: 'v1',
        memoryLimitEnforcement: 'cgroup',
        cpuLimitEnforcement: 'cgroup',
        cgroupNote: '',
      }),
    ).to.deep.equal({
      'vk-cmd.jiriaf.org/cgroup-mode': 'v1',
      'vk-cmd.jiriaf.org/memory-limit-enforcement': 'cgroup',
      'vk-cmd.jiriaf.org/cpu-limit-enforcement': 'cgroup',
      'vk-cmd.jiriaf.org/limits-note': null,
    });
    expect(
      limitAnnotations({
        cgroupMode: 'none',
        memoryLimitEnforcement: 'watchdog',
        cpuLimitEnforcement: 'none',
        cgroupNote: 'no writable cgroup: no cgroup2 mount',
      }),
    ).to.include({ 'vk-cmd.jiriaf.org/limits-note': 'no writable cgroup: no cgroup2 mount' });
  });

  it('warns once per pod about CPU limits the node cannot enforce', () => {
    const none = { cgroupMode: 'none', cpuLimitEnforcement: 'none', cgroupNote: 'no writable cgroup: ...' };
    expect(unenforcedLimitEvents(podWith([{ cpu: '200m' }]), none)).to.deep.equal([
      {
        type: 'Warning',
        reason: 'CPULimitNotEnforced',
        message: 'cpu limit 200m is not enforced on this node: no writable cgroup',
      },
    ]);
    expect(
      unenforcedLimitEvents(podWith([{ cpu: '200m' }, { memory: '1Gi' }, { cpu: '2' }]), {
        ...none,
        cgroupNote: 'cgroups turned off (--cgroups=none)',
      }),
    ).to.deep.equal([
      {
        type: 'Warning',
        reason: 'CPULimitNotEnforced',
        message:
          'cpu limits are not enforced on this node: cgroups are turned off (--cgroups=none) (c1: 200m, c3: 2)',
      },
    ]);
    expect(
      unenforcedLimitEvents(podWith([{ memory: '1Gi' }]), none),
      'memory is always enforced',
    ).to.deep.equal([]);
    expect(
      unenforcedLimitEvents(podWith([{ cpu: '200m' }]), { cgroupMode: 'v1', cpuLimitEnforcement: 'cgroup' }),
    ).to.deep.equal([]);
    expect(unenforcedLimitEvents(podWith([{ cpu: '200m' }]), undefined), 'runner did not say').to.deep.equal(
      [],
    );
  });

  it('an OOMKilled run gets one warning naming the limit, also once it is the last state', () => {
    const pod = podWith([{ memory: '32Mi' }]);
    const message =
      "memory limit 32Mi exceeded: working set 40Mi; the runner's memory watchdog killed container c1";
    const oom = terminated(137, 'OOMKilled', message);
    const event = {
      key: `oom/c1/${oom.terminated!.finishedAtMs}`,
      event: { type: 'Warning', reason: 'OOMKilled', message, fieldPath: 'spec.containers{c1}' },
    };
    expect(containerEvents(pod, runnerPod([cs('c1', oom)]))).to.deep.equal([event]);
    const restarting = containerEvents(
      pod,
      runnerPod([cs('c1', waiting('CrashLoopBackOff'), { lastState: oom, restartCount: 1 })]),
    );
    expect(restarting[0]).to.deep.equal(event);
  });
});
