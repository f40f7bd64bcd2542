import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  eventually,
  groupMembers,
  isRunning,
  isTerminated,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
} from './support/runner-harness.js';

describe('runner: restart safety (real bin/vk-cmd-runner killed with SIGKILL)', function () {
  this.timeout(60_000);
  let h: RunnerHarness;

  before(async () => {
    h = new RunnerHarness(['--backoff-initial-ms', '300', '--backoff-max-ms', '1000']);
    await h.startProcess();
  });
  after(async () => h.close());

  it('re-adopts live groups with the same pgid and reports true exit codes, also for groups that ended while it was down', async () => {
    const wait = 'while [ ! -e release ]; do sleep 0.05; done\n';
    const survivor = scriptPod('survivor', `${wait}echo bye\nexit 5\n`);
    const endsWhileDown = scriptPod('ends-down', `${wait}exit 9\n`);
    const endsCleanWhileDown = scriptPod('ends-clean', `${wait}echo fine\n`);
    const pgids = new Map<string, number>();
    let watcher = h.watch();
    for (const spec of [survivor, endsWhileDown, endsCleanWhileDown]) {
      await h.create(spec);
      const pod = await watcher.waitForPod(spec.uid!, isRunning('c1'));
      pgids.set(spec.name!, status(pod, 'c1').pgid);
    }
    const dir = (name: string) => path.join(h.rootDir, 'ns1', name, 'containers', 'c1');

    await h.killProcess('SIGKILL');
    for (const pgid of pgids.values())
      expect(groupMembers(pgid).length, 'processes outlive the runner').to.be.greaterThan(0);
    writeFileSync(path.join(dir('ends-down'), 'release'), '');
    writeFileSync(path.join(dir('ends-clean'), 'release'), '');
    await eventually(() => groupMembers(pgids.get('ends-down')!).length === 0, 5_000, 'ends-down ended');
    await eventually(() => groupMembers(pgids.get('ends-clean')!).length === 0, 5_000, 'ends-clean ended');

    await h.startProcess();
    watcher = h.watch();
    const adopted = await watcher.waitForPod(survivor.uid!, isRunning('c1'));
    expect(status(adopted, 'c1').pgid).to.equal(pgids.get('survivor'));
    const down = await watcher.waitForPod(endsWhileDown.uid!, isTerminated('c1'));
    expect([terminated(down, 'c1').exitCode, terminated(down, 'c1').reason]).to.deep.equal([9, 'Error']);
    const clean = await watcher.waitForPod(endsCleanWhileDown.uid!, isTerminated('c1'));
    expect([terminated(clean, 'c1').exitCode, terminated(clean, 'c1').reason]).to.deep.equal([
      0,
      'Completed',
    ]);
    expect(readFileSync(path.join(dir('survivor'), 'pgid'), 'utf8').trim()).to.equal(
      String(pgids.get('survivor')),
    );

    writeFileSync(path.join(dir('survivor'), 'release'), '');
    const done = await watcher.waitForPod(survivor.uid!, isTerminated('c1'));
    expect([terminated(done, 'c1').exitCode, terminated(done, 'c1').reason]).to.deep.equal([5, 'Error']);
    expect(readFileSync(path.join(dir('survivor'), 'stdout'), 'utf8')).to.equal('bye\n');
  });

  it('a group killed while the runner is down reports 137 with a clear message', async () => {
    const spec = scriptPod('vanish', 'sleep 30\n');
    let watcher = h.watch();
    await h.create(spec);
    const pod = await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const pgid = status(pod, 'c1').pgid;
    await h.killProcess('SIGKILL');
    process.kill(-pgid, 'SIGKILL');
    await eventually(() => groupMembers(pgid).length === 0, 5_000, 'group gone');
    await h.startProcess();
    watcher = h.watch();
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    const t = terminated(done, 'c1');
    expect(t.exitCode).to.equal(137);
    expect(t.message).to.match(/no exit code/);
  });

  it('a SIGTERM to the runner leaves pods running; the next runner re-adopts them', async () => {
    const spec = scriptPod('graceful', 'sleep 30\n');
    let watcher = h.watch();
    await h.create(spec);
    const pgid = status(await watcher.waitForPod(spec.uid!, isRunning('c1')), 'c1').pgid;
    await h.killProcess('SIGTERM');
    expect(h.child?.exitCode).to.equal(0);
    expect(groupMembers(pgid).length).to.be.greaterThan(0);
    await h.startProcess();
    watcher = h.watch();
    const pod = await watcher.waitForPod(spec.uid!, isRunning('c1'));
    expect(status(pod, 'c1').pgid).to.equal(pgid);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    await watcher.waitForDeleted(spec.uid!);
    expect(groupMembers(pgid)).to.deep.equal([]);
  });

  it('a deletion under way when the runner restarts continues without a second SIGTERM', async () => {
    const spec = scriptPod(
      'deleting',
      // terms is written in the root directory, which outlives the pod's.
      "trap 'echo term >> ../../../../terms' TERM\necho ready\nwhile :; do sleep 0.05 & wait $!; done\n",
    );
    let watcher = h.watch();
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const podDir = path.join(h.rootDir, 'ns1', 'deleting');
    await eventually(
      () => readFileSync(path.join(podDir, 'containers', 'c1', 'stdout'), 'utf8').includes('ready'),
      5_000,
      'ready',
    );
    const termsFile = path.join(h.rootDir, 'terms');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 30 });
    await eventually(() => existsSync(termsFile), 5_000, 'SIGTERM');
    // The record says so once it is saved: a kill between the signal and the save is the
    // crash point delete.after-sigterm, where a second SIGTERM is the accepted outcome.
    const record = path.join(h.rootDir, '.vk-cmd', 'pods', `${spec.uid}.json`);
    await eventually(() => readFileSync(record, 'utf8').includes('"termSent":true'), 5_000, 'termSent saved');
    await h.killProcess('SIGKILL');
    await h.startProcess();
    watcher = h.watch();
    await watcher.waitForPod(spec.uid!, (p) => p.deleting && isRunning('c1')(p));
    // A shorter grace period: SIGKILL in 2 s, long after a repeated SIGTERM would have come.
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 2 });
    const deleted = await watcher.waitForDeleted(spec.uid!);
    expect(terminated(deleted.pod!, 'c1').message).to.equal('killed after 2 s grace period');
    expect(readFileSync(termsFile, 'utf8')).to.equal('term\n');
  });

  it('a restart timer in back-off resumes after a runner restart', async () => {
    const spec = scriptPod('crashloop', 'echo run >> ../../count\nexit 1\n', { restartPolicy: 'OnFailure' });
    let watcher = h.watch();
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, (p) => status(p, 'c1').state?.waiting?.reason === 'CrashLoopBackOff');
    await h.killProcess('SIGKILL');
    await h.startProcess();
    watcher = h.watch();
    const restarted = await watcher.waitForPod(spec.uid!, (p) => status(p, 'c1').restartCount >= 2, 10_000);
    expect(status(restarted, 'c1').lastState?.terminated?.exitCode).to.equal(1);
  });
});
