import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
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
  const parents = ['memory', 'cpu'].map((c) => `/sys/fs/cgroup/${c}/${name}`);
  let h: RunnerHarness;

  before(async () => {
    for (const dir of parents) mkdirSync(dir);
    h = new RunnerHarness(['--cgroups', 'v1', '--cgroup-parent', `/${name}`]);
    await h.startInProcess();
  });
  after(async () => {
    await h.close();
    for (const dir of parents) removeCgroupTree(dir);
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

/** Removes a cgroup tree, leaves first. */
function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  }
  rmdirSync(dir);
}
