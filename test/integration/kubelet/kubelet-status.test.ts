import { expect } from 'chai';
import type { Harness } from './support/harness.js';
import { harnessPerTest, sleeperPod, waitFor } from './support/harness.js';

const readyOf = (h: Harness, name: string) =>
  h.api.pod('default', name)?.status?.conditions?.find((c) => c.type === 'Ready');

describe('kubelet pod status against other writers and events', function () {
  this.timeout(30_000);
  let h: Harness;
  harnessPerTest((x) => (h = x));

  it('puts Ready back when another writer marked the pod not ready, without a container change', async () => {
    await h.startKubelet();
    const pod = h.api.addPod(sleeperPod('mark'));
    await waitFor(() => readyOf(h, 'mark')?.status === 'True', 5000, 'Ready');
    const patches = h.api.statusPatches.length;
    const runnerEvents = h.runner.sentAtMs.length;

    // What the node lifecycle controller's MarkPodsNotReady writes when the node heartbeat is stale.
    h.api.externalStatusPatch('default', 'mark', {
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date().toISOString() }],
    });
    await waitFor(() => readyOf(h, 'mark')?.status === 'True', 5000, 'Ready written back');
    expect(h.runner.sentAtMs.length, 'no runner change caused it').to.equal(runnerEvents);
    expect(h.api.statusPatches.length).to.equal(patches + 1);
    // Another writer's own condition is not the kubelet's business: no write for it.
    h.api.externalStatusPatch('default', 'mark', {
      conditions: [{ type: 'example.com/gate', status: 'True' }],
    });
    h.runner.terminate(pod.metadata!.uid!, 'c1', 0, 'Completed');
    await waitFor(() => h.api.pod('default', 'mark')?.status?.phase === 'Succeeded', 5000, 'Succeeded');
    expect(h.api.statusPatches.length, 'the write-back and the termination, nothing else').to.equal(
      patches + 2,
    );
    expect(h.api.pod('default', 'mark')?.status?.conditions?.map((c) => c.type)).to.include(
      'example.com/gate',
    );
  });

  it('emits BackOff once per restart of a crash-looping container, folding repeats into one event', async () => {
    await h.startKubelet();
    const pod = h.api.addPod(sleeperPod('crash', 'Always'));
    const uid = pod.metadata!.uid!;
    await waitFor(() => readyOf(h, 'crash')?.status === 'True', 5000, 'Ready');
    const lastState = {
      state: 'terminated' as const,
      terminated: { exitCode: 1, signal: 0, reason: 'Error', message: '', startedAtMs: 1, finishedAtMs: 2 },
    };
    const backOff = (restartCount: number) =>
      h.runner.setState(
        uid,
        'c1',
        {
          state: 'waiting',
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' },
        },
        { restartCount, lastState },
      );
    const events = () => h.api.events.filter((e) => e.reason === 'BackOff');
    backOff(1);
    const first = await waitFor(() => events()[0], 5000, 'BackOff event');
    expect(first).to.deep.include({
      type: 'Warning',
      message: `Back-off restarting failed container c1 in pod crash_default(${uid})`,
    });
    expect(first.involvedObject.fieldPath).to.equal('spec.containers{c1}');
    backOff(1); // the same back-off reported again: no new event
    backOff(2);
    await waitFor(() => events()[0]?.count === 2, 5000, 'count 2');
    // A later change proves the repeat above was handled: it added nothing.
    h.runner.setState(
      uid,
      'c1',
      { state: 'running', running: { startedAtMs: Date.now() } },
      { restartCount: 2 },
    );
    await waitFor(
      () => h.api.events.find((e) => e.reason === 'Started')?.count === 2,
      5000,
      'second Started',
    );
    expect(events()).to.have.length(1);
    expect(events()[0]!.count).to.equal(2);
    const phase = h.api.pod('default', 'crash')?.status?.phase;
    expect(phase, 'a crash-looping pod is Running').to.equal('Running');
  });
});
