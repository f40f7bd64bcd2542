import { expect } from 'chai';
import type { Harness } from './support/harness.js';
import { harnessPerTest, sleeperPod, waitFor } from './support/harness.js';

const ready = (h: Harness) => h.api.nodes.get('vk-test')?.status?.conditions?.find((c) => c.type === 'Ready');
const c1 = (h: Harness, name: string) =>
  h.api.pod('default', name)?.status?.containerStatuses?.find((s) => s.name === 'c1');

describe('kubelet runner link, restarts and lost pods', function () {
  this.timeout(30_000);
  let h: Harness;
  harnessPerTest((x) => (h = x));

  it('turns NotReady with RunnerUnreachable after the grace period without failing pods, then resumes', async () => {
    const kubelet = await h.startKubelet({ runnerUnreachableGraceSeconds: 0.5 });
    const pod = h.api.addPod(sleeperPod('s1'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 's1')?.state?.running, 5000, 'running');
    await waitFor(() => ready(h)?.status === 'True', 5000, 'Ready');
    const patchesBefore = h.api.statusPatches.length;
    const watchesBefore = h.runner.watchRequests.length;

    await h.runner.stop();
    await waitFor(() => kubelet.link.state !== 'Synced', 5000, 'link down');
    expect(ready(h)?.status, 'still Ready inside the grace period').to.equal('True');
    const notReady = await waitFor(() => ready(h)?.status === 'False' && ready(h), 5000, 'NotReady');
    expect(notReady.reason).to.equal('RunnerUnreachable');
    expect(notReady.message).to.contain('unreachable');
    expect(h.api.statusPatches.length, 'no pod status written while the runner is away').to.equal(
      patchesBefore,
    );
    expect(h.api.pod('default', 's1')?.status?.phase).to.equal('Running');

    // The runner is back and answers, but the link has not synced yet: a pod that
    // arrives now is handled (its record exists) but neither created nor failed.
    h.runner.holdSync = true;
    await h.runner.start();
    await waitFor(() => h.runner.syncHeld() && kubelet.link.state === 'Syncing', 5000, 'link syncing');
    const queued = h.api.addPod(sleeperPod('queued'));
    const queuedUid = queued.metadata!.uid!;
    await waitFor(() => kubelet.pods.record(queuedUid)?.syncing === false, 5000, 'queued pod handled');
    expect(h.runner.createCount(queuedUid), 'no CreatePod before the link synced').to.equal(0);
    expect(h.api.pod('default', 'queued')?.status?.phase).to.equal('Pending');
    expect(h.api.statusPatches.length, 'no pod status written while unsynced').to.equal(patchesBefore);

    // The container ends while the kubelet cannot see it; the resumed watch delivers it.
    h.runner.terminate(uid, 'c1', 0, 'Completed');
    h.runner.releaseSync();
    await waitFor(() => ready(h)?.status === 'True', 5000, 'Ready again');
    await waitFor(() => h.api.pod('default', 's1')?.status?.phase === 'Succeeded', 5000, 's1 Succeeded');
    await waitFor(() => c1(h, 'queued')?.state?.running, 5000, 'queued pod created after reconnect');
    const resumed = h.runner.watchRequests.slice(watchesBefore).at(-1)!;
    // Watch heartbeats every half health check period of quiet: 125 ms / 2 for a 0.5 s grace.
    expect(resumed.heartbeatIntervalMs).to.equal(63);
    expect(resumed.sinceRevision).to.be.greaterThan(0);
    expect(resumed.epoch).to.not.equal('');
    expect((await h.metrics.runnerReconnectsTotal.get()).values[0]?.value).to.be.at.least(1);
  });

  it('adopts running pods after a kubelet restart without calling CreatePod again', async () => {
    const first = await h.startKubelet();
    const pod = h.api.addPod(sleeperPod('a1'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 'a1')?.state?.running, 5000, 'running');
    await h.stopKubelet(first);

    const second = await h.startKubelet();
    await waitFor(() => second.pods.record(uid)?.created, 5000, 'adopted');
    expect(h.runner.createCount(uid)).to.equal(1);
    h.runner.terminate(uid, 'c1', 7, 'Error');
    const failed = await waitFor(() => c1(h, 'a1')?.state?.terminated, 5000, 'terminated after adoption');
    expect(failed.exitCode).to.equal(7);
    expect(h.api.pod('default', 'a1')?.status?.phase).to.equal('Failed');
    expect(h.runner.createCount(uid)).to.equal(1);
  });

  it('reports a started pod the runner lost as Failed/RunnerLostPod and never re-runs it', async () => {
    const kubelet = await h.startKubelet();
    const pod = h.api.addPod(sleeperPod('lost'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 'lost')?.state?.running, 5000, 'running');
    await h.stopKubelet(kubelet);
    await h.runner.restart({ loseState: true });

    await h.startKubelet();
    const status = await waitFor(
      () => h.api.pod('default', 'lost')?.status?.phase === 'Failed' && h.api.pod('default', 'lost')?.status,
      5000,
      'Failed',
    );
    expect(status.reason).to.equal('RunnerLostPod');
    expect(status.message).to.contain('not run again');
    expect(status.containerStatuses?.[0]?.state?.terminated?.reason).to.equal('ContainerStatusUnknown');
    expect(h.runner.createCount(uid)).to.equal(1);
  });

  it('a runner that loses its state while the kubelet runs: started pods fail, never-started pods are created', async () => {
    await h.startKubelet();
    const started = h.api.addPod(sleeperPod('was-running'));
    await waitFor(() => c1(h, 'was-running')?.state?.running, 5000, 'running');
    await h.runner.restart({ loseState: true });
    await waitFor(() => h.api.pod('default', 'was-running')?.status?.phase === 'Failed', 5000, 'Failed');
    expect(h.runner.createCount(started.metadata!.uid!)).to.equal(1);
    const fresh = h.api.addPod(sleeperPod('fresh'));
    await waitFor(() => c1(h, 'fresh')?.state?.running, 5000, 'fresh running');
    expect(h.runner.createCount(fresh.metadata!.uid!)).to.equal(1);
  });

  it('a restarted kubelet deletes from the runner the pods the API server removed while it was down', async () => {
    const first = await h.startKubelet();
    const pod = h.api.addPod(sleeperPod('orphan'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => c1(h, 'orphan')?.state?.running, 5000, 'running');
    await h.stopKubelet(first);
    // Force-deleted while no kubelet watched: the new one has no record of it.
    await h.api.deletePod('default', 'orphan', uid);

    await h.startKubelet();
    const call = await waitFor(
      () => h.runner.deleteCalls.find((d) => d.uid === uid),
      5000,
      'runner DeletePod',
    );
    expect(call.gracePeriodSeconds, 'the runner default grace period').to.equal(undefined);
    await waitFor(() => h.runner.pod(uid) === undefined, 5000, 'runner forgot the orphan');
    expect(h.runner.createCount(uid)).to.equal(1);
  });
});
