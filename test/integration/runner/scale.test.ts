import { expect } from 'chai';
import {
  groupMembers,
  isRunning,
  isTerminated,
  podProcessesUnder,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
} from './support/runner-harness.js';

describe('runner: scale', function () {
  this.timeout(120_000);
  let h: RunnerHarness;

  before(async () => {
    h = new RunnerHarness();
    await h.startInProcess();
  });
  after(async () => h.close());

  it('200 concurrent pods run, complete and are deleted', async () => {
    const watcher = h.watch();
    const specs = Array.from({ length: 200 }, (_, i) => scriptPod(`scale-${i}`, 'sleep 0.5\necho done\n'));
    const created = await Promise.all(specs.map((s) => h.create(s)));
    const pgids = new Set(created.map((p) => status(p, 'c1').pgid));
    expect(pgids.size).to.equal(200);
    for (const s of specs) {
      const pod = await watcher.waitForPod(s.uid!, isTerminated('c1'), 60_000);
      expect(terminated(pod, 'c1').reason, s.name).to.equal('Completed');
    }
    await Promise.all(specs.map((s) => unary(h.client, 'DeletePod', { uid: s.uid, gracePeriodSeconds: 0 })));
    for (const s of specs) await watcher.waitForDeleted(s.uid!, 30_000);
    const list = await unary<object, { pods: unknown[] }>(h.client, 'ListPods', {});
    expect(list.pods).to.have.length(0);
  });

  it('200 running pods deleted at once: every process is gone', async () => {
    const watcher = h.watch();
    const specs = Array.from({ length: 200 }, (_, i) => scriptPod(`busy-${i}`, 'exec sleep 300\n'));
    const created = await Promise.all(specs.map((s) => h.create(s)));
    const pgids = created.map((p) => status(p, 'c1').pgid);
    for (const s of specs) await watcher.waitForPod(s.uid!, isRunning('c1'), 60_000);
    await Promise.all(specs.map((s) => unary(h.client, 'DeletePod', { uid: s.uid })));
    for (const s of specs) {
      const deleted = await watcher.waitForDeleted(s.uid!, 60_000);
      expect(terminated(deleted.pod!, 'c1').message, s.name).to.equal(
        'stopped by pod deletion within the 30 s grace period',
      );
    }
    expect(pgids.filter((g) => groupMembers(g).length > 0)).to.deep.equal([]);
    expect(podProcessesUnder(h.rootDir)).to.deep.equal([]);
  });
});
