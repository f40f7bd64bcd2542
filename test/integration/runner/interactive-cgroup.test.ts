import { expect } from 'chai';
import { cgroupV1Parents } from './support/cgroup-v1-parents.js';
import { isRunning, RunnerHarness, scriptPod, unary } from './support/runner-harness.js';
import { openExec } from './support/interactive-client.js';

/**
 * An exec'd command of a container whose run joined cgroups runs in that
 * container's cgroups, as exec probes do, so its limits apply to it. Like
 * probe-launch.test.ts and limits.test.ts this host mounts cgroup v1 and the
 * tests run as root, which may make a memory subtree for the runner.
 */
describe('runner: exec sessions in the container cgroup (cgroup v1, as root)', function () {
  this.timeout(60_000);
  const name = `vk-cmd-exec-it-${process.pid}`;
  const parents = cgroupV1Parents(name);
  let h: RunnerHarness;

  before(async () => {
    parents.create();
    h = new RunnerHarness(parents.runnerArgs);
    await h.startInProcess();
  });
  after(async () => {
    await h.close();
    parents.remove();
  });

  const memoryCgroup = (procSelfCgroup: string): string | undefined =>
    procSelfCgroup
      .split('\n')
      .find((l) => /^\d+:memory:/.test(l))
      ?.replace(/^\d+:/, '');

  for (const tty of [false, true]) {
    it(`an exec'd command${tty ? ' on a tty' : ''} is in the container's memory cgroup`, async () => {
      const spec = scriptPod(`exec-cgroup-${tty ? 'tty' : 'pipes'}`, 'exec sleep 300\n');
      Object.assign(spec.containers![0]!, { memoryLimitBytes: 64 * 2 ** 20 });
      const watcher = h.watch();
      await h.create(spec);
      await watcher.waitForPod(spec.uid!, isRunning('c1'));
      const session = openExec(h.client, {
        uid: spec.uid!,
        container: 'c1',
        command: ['cat', '/proc/self/cgroup'],
        tty,
      });
      const result = await session.done;
      expect(result.exit?.exitCode, result.stderr).to.equal(0);
      expect(memoryCgroup(result.stdout.replace(/\r/g, ''))).to.equal(
        `memory:/${name}/vk-cmd/${spec.uid}/c1`,
      );
      await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
      await watcher.waitForDeleted(spec.uid!);
    });
  }

  it('without a limit the container joins no cgroup, and neither does its exec', async () => {
    const spec = scriptPod('exec-no-cgroup', 'exec sleep 300\n');
    const watcher = h.watch();
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const result = await openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      command: ['cat', '/proc/self/cgroup'],
    }).done;
    expect(result.exit?.exitCode, result.stderr).to.equal(0);
    expect(memoryCgroup(result.stdout)).to.not.contain(`/vk-cmd/${spec.uid}`);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    await watcher.waitForDeleted(spec.uid!);
  });
});
