import { expect } from 'chai';
import type { Stats__Output } from '../../../src/generated/vkcmd/runner/v1/Stats.js';
import {
  DOUBLE_FORK_SCRIPT,
  isAlive,
  isRunning,
  isTerminated,
  pidFile,
  readLogs,
  RunnerHarness,
  scriptPod,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

/** The runner as a process (with VK_CMD_TEST_RUNNER: the release tarball's): the basics end to end. */
describe('runner: smoke test of the runner process', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness();
    await h.startProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  it('runs a pod to its exit code and serves its logs and stats', async () => {
    const spec = scriptPod('smoke', 'echo out\necho err >&2\nexit 7\n');
    await h.create(spec);
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect([terminated(done, 'c1').exitCode, terminated(done, 'c1').reason]).to.deep.equal([7, 'Error']);
    expect(await readLogs(h.client, { uid: spec.uid, stream: 'LOG_STREAM_STDOUT' })).to.equal('out\n');
    const stats = await unary<object, Stats__Output>(h.client, 'GetStats', {});
    expect(stats.node?.memoryTotalBytes).to.be.greaterThan(0);
  });

  it('deletes a running pod and the daemon it double-forked', async () => {
    const spec = scriptPod('smokedel', DOUBLE_FORK_SCRIPT);
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const daemon = await pidFile(h.rootDir, spec, 'daemon.pid');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 5 });
    await watcher.waitForDeleted(spec.uid!);
    expect(isAlive(daemon)).to.equal(false);
  });
});
