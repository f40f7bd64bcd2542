import { expect } from 'chai';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import { KubeletMetrics } from '../../../src/kubelet/kubelet-metrics.js';
import type { RunnerPods } from '../../../src/kubelet/pods/pod-record.js';
import { countingStartedPods } from '../../../src/kubelet/started-pods.js';

describe('countingStartedPods', () => {
  it('counts every CreatePod the runner accepts, and nothing else', async () => {
    let fail = false;
    const pod = { uid: 'u' } as Pod__Output;
    const runner: RunnerPods = {
      isSynced: () => true,
      getPod: () => pod,
      pods: () => new Map([['u', pod]]),
      createPod: () => (fail ? Promise.reject(new Error('refused')) : Promise.resolve(pod)),
      deletePod: () => Promise.resolve({} as never),
    };
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    const counted = countingStartedPods(runner, metrics);
    const started = async (): Promise<number> => (await metrics.startedPodsTotal.get()).values[0]?.value ?? 0;

    expect(await counted.createPod({} as never)).to.equal(pod);
    expect(await started()).to.equal(1);
    fail = true;
    await counted.createPod({} as never).catch(() => undefined);
    expect(await started()).to.equal(1);
    await counted.deletePod('u', 0);
    expect(counted.getPod('u')).to.equal(pod);
    expect(counted.isSynced()).to.equal(true);
    expect(await started()).to.equal(1);
  });
});
