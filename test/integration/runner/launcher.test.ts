import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { ProcessTable } from '../../../src/runner/process/process-table.js';
import {
  eventually,
  groupMembers,
  isRunning,
  isTerminated,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  type PodWatcher,
} from './support/runner-harness.js';

/*
 * The runner with vk-cmd-launcher (native/vk-cmd-launcher.c): containers
 * are its children, not the runner's; killing it leaves them running, the
 * runner notices and starts another; a start it loses is settled exactly
 * once; without it the runner falls back to Node's spawn.
 */

/** Appends one line per start to the pod directory's `starts`, waits for `release`, exits 7. */
const COUNTING = 'echo start >> ../../starts\nwhile [ ! -e release ]; do sleep 0.05; done\nexit 7\n';

/** The runner's children named vk-cmd-launcher. */
function launchersOf(runnerPid: number): number[] {
  const table = new ProcessTable();
  return table
    .scan()
    .filter((e) => e.ppid === runnerPid && e.state !== 'Z')
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e.pid}/comm`, 'utf8').trim() === 'vk-cmd-launcher';
      } catch {
        return false;
      }
    })
    .map((e) => e.pid);
}

describe('runner: containers are started by the launcher', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;
  const containerDir = (spec: PodSpec): string =>
    path.join(h.rootDir, spec.namespace!, spec.name!, 'containers', 'c1');
  const starts = (spec: PodSpec): string[] => {
    const file = path.join(h.rootDir, spec.namespace!, spec.name!, 'starts');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };
  const runOnce = async (name: string): Promise<void> => {
    const spec = scriptPod(name, COUNTING);
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'), 20_000);
    await eventually(() => starts(spec).length > 0, 10_000, `${name} to begin`);
    writeFileSync(path.join(containerDir(spec), 'release'), '');
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'), 20_000);
    expect(terminated(done, 'c1').exitCode, name).to.equal(7);
    expect(starts(spec), name).to.deep.equal(['start']);
  };

  afterEach(async () => h.close());

  it('forks them; killed with SIGKILL, its groups run on, exits are still reported and a new launcher takes over', async () => {
    h = new RunnerHarness();
    await h.startProcess();
    watcher = h.watch();
    const runner = h.child!.pid!;
    const [launcher] = await eventually(
      () => launchersOf(runner).length === 1 && launchersOf(runner),
      5_000,
      'launcher',
    );
    const spec = scriptPod('survives', COUNTING);
    await h.create(spec);
    const pgid = status(await watcher.waitForPod(spec.uid!, isRunning('c1')), 'c1').pgid;
    expect(new ProcessTable().read(pgid)?.ppid).to.equal(launcher);

    process.kill(launcher!, 'SIGKILL');
    const [next] = await eventually(
      () => launchersOf(runner).filter((p) => p !== launcher).length === 1 && launchersOf(runner),
      10_000,
      'a new launcher',
    );
    expect(groupMembers(pgid).length).to.be.greaterThan(0);
    await eventually(
      () => readFileSync(h.logFile, 'utf8').includes('The launcher exited'),
      5_000,
      'the log line',
    );

    writeFileSync(path.join(containerDir(spec), 'release'), '');
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'), 20_000);
    expect(terminated(done, 'c1').exitCode).to.equal(7);
    expect(starts(spec)).to.deep.equal(['start']);

    const after = scriptPod('after', 'exec sleep 30\n');
    await h.create(after);
    const afterPgid = status(await watcher.waitForPod(after.uid!, isRunning('c1')), 'c1').pgid;
    expect(new ProcessTable().read(afterPgid)?.ppid).to.equal(next);
  });

  it('a start in flight when the launcher dies runs exactly once and reports its own code', async () => {
    // Every launcher kills itself after its first fork, before answering.
    h = new RunnerHarness();
    await h.startProcess({ VK_CMD_TEST_CRASH_POINTS: 'launcher.after-fork:1' });
    watcher = h.watch();
    for (const name of ['lost-1', 'lost-2', 'lost-3']) await runOnce(name);
    const log = readFileSync(h.logFile, 'utf8');
    expect(log).to.include('the launcher died during the start');
  });

  it("without a launcher, containers start with Node's spawn after one warning", async () => {
    h = new RunnerHarness();
    await h.startProcess({ VK_CMD_LAUNCHER: 'none' });
    watcher = h.watch();
    const runner = h.child!.pid!;
    expect(launchersOf(runner)).to.deep.equal([]);
    const spec = scriptPod('fallback', 'exec sleep 30\n');
    await h.create(spec);
    const pgid = status(await watcher.waitForPod(spec.uid!, isRunning('c1')), 'c1').pgid;
    expect(new ProcessTable().read(pgid)?.ppid).to.equal(runner);
    await runOnce('fallback-exit');
    const warnings = readFileSync(h.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes("No launcher; containers start with Node's spawn"));
    expect(warnings).to.have.length(1);
  });
});
