import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { containerEvents, SETUP_FAILURE_REASONS } from '../../../../src/kubelet/pods/container-events.js';
import { cs, runnerPod, running, terminated, waiting } from '../support/pod-fixtures.js';

const pod: WirePod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: { initContainers: [{ name: 'init', image: 'i' }], containers: [{ name: 'c1', image: 'img' }] },
};

describe('containerEvents', () => {
  it("Started for a run the API does not show yet, with the container's field path", () => {
    const out = containerEvents(pod, runnerPod([cs('c1', running())]));
    expect(out).to.deep.equal([
      {
        key: `started/c1/0/${running().running!.startedAtMs}`,
        event: {
          type: 'Normal',
          reason: 'Started',
          message: 'Started container c1',
          fieldPath: 'spec.containers{c1}',
        },
      },
    ]);
    const shown: WirePod = {
      ...pod,
      status: {
        containerStatuses: [
          { name: 'c1', image: 'img', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    };
    expect(
      containerEvents(shown, runnerPod([cs('c1', running())])),
      'adopted: no second Started',
    ).to.deep.equal([]);
  });

  it('BackOff once per restart count of a crash-looping container', () => {
    const out = containerEvents(
      pod,
      runnerPod([], [cs('init', waiting('CrashLoopBackOff'), { restartCount: 3 })]),
    );
    expect(out).to.have.length(1);
    expect(out[0]!.key).to.equal('backoff/init/3');
    expect(out[0]!.event).to.deep.equal({
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container init in pod p_ns(u)',
      fieldPath: 'spec.initContainers{init}',
    });
  });

  for (const reason of [...SETUP_FAILURE_REASONS]) {
    it(`Failed for the set-up failure ${reason}`, () => {
      const out = containerEvents(pod, runnerPod([cs('c1', terminated(1, reason, 'what to fix'))]));
      expect(out.map((e) => e.event)).to.deep.equal([
        {
          type: 'Warning',
          reason: 'Failed',
          message: `Error: ${reason}: what to fix`,
          fieldPath: 'spec.containers{c1}',
        },
      ]);
    });
  }

  it('no event for an ordinary exit', () => {
    for (const state of [
      terminated(0, 'Completed'),
      terminated(3, 'stderrNotEmpty'),
      terminated(7, 'Error'),
    ]) {
      expect(containerEvents(pod, runnerPod([cs('c1', state)]))).to.deep.equal([]);
    }
  });
});
