import path from 'node:path';
import { expect } from 'chai';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import {
  isRunning,
  podProcessesUnder,
  RunnerHarness,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

/*
 * The runner-wide start queue (pods/start-queue.ts) with real processes:
 * a pod created after a huge one is not starved while the huge one starts,
 * and a deletion that races starts in flight loses no group.
 */

let counter = 0;

/** A pod of `n` containers, each `sleep 300`. */
function sleepers(name: string, n: number): PodSpec {
  counter++;
  return {
    uid: `uid-${name}-${process.pid}-${counter}`,
    namespace: 'queue',
    name,
    restartPolicy: 'Never',
    containers: Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      command: ['/bin/sleep'],
      args: ['300'],
    })),
    volumes: [],
  };
}

const runningCount = (p: Pod__Output): number =>
  p.containerStatuses.filter((s) => s.state?.state === 'running').length;

/** The index of the first watch event of `uid` whose pod satisfies `pred`. */
function firstEvent(w: PodWatcher, uid: string, pred: (p: Pod__Output) => boolean): number {
  return w.events.findIndex(
    (e) => e.pod?.uid === uid && e.type !== 'WATCH_EVENT_TYPE_DELETED' && pred(e.pod),
  );
}

describe('runner: the start queue', function () {
  this.timeout(180_000);
  let h: RunnerHarness;

  before(async () => {
    h = new RunnerHarness();
    await h.startInProcess();
  });
  after(async () => h.close());

  it('a small pod created once a 1,000-container pod began is running before its last container', async () => {
    const watcher = h.watch();
    const huge = sleepers('huge', 1_000);
    const small = sleepers('small', 1);
    await h.create(huge);
    await watcher.waitForPod(huge.uid!, (p) => runningCount(p) > 0, 60_000, 'a first container running');
    await h.create(small);
    await watcher.waitForPod(small.uid!, isRunning('c0'), 60_000);
    await watcher.waitForPod(huge.uid!, (p) => runningCount(p) === 1_000, 120_000, 'all running');
    const smallRunning = firstEvent(watcher, small.uid!, isRunning('c0'));
    const hugeAll = firstEvent(watcher, huge.uid!, (p) => runningCount(p) === 1_000);
    expect(smallRunning).to.be.greaterThan(-1);
    expect(smallRunning, 'the small pod runs before the huge pod is all running').to.be.lessThan(hugeAll);
    for (const spec of [huge, small])
      await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    for (const spec of [huge, small]) await watcher.waitForDeleted(spec.uid!, 120_000);
    expect(podProcessesUnder(path.join(h.rootDir, 'queue'))).to.deep.equal([]);
    watcher.cancel();
  });

  it('DeletePod racing starts in flight: every group that started is stopped, none is lost', async () => {
    const watcher = h.watch();
    const spec = sleepers('racing', 40);
    await h.create(spec);
    // At once: its starts are queued or in flight (the queue bounds them per pod).
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    const deleted = await watcher.waitForDeleted(spec.uid!, 60_000);
    // Each container either never started or ended by the deletion: none is left running.
    for (const s of deleted.pod!.containerStatuses) expect(s.state?.state, s.name).to.not.equal('running');
    expect(podProcessesUnder(path.join(h.rootDir, 'queue', 'racing'))).to.deep.equal([]);
    watcher.cancel();
  });
});
