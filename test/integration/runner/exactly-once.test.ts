import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { openContainerDir, openExitCodeTarget } from '../../../src/runner/files/container-dir.js';
import { WRAPPER_DIR_ARG } from '../../../src/runner/files/wrapper-sh.js';
import { waiting, type ContainerRecord } from '../../../src/runner/pods/pod-record.js';
import { PodStateStore } from '../../../src/runner/pods/state-persistence.js';
import { WRAPPER_SCRIPT } from '../../../src/runner/process/container-launcher.js';
import {
  eventually,
  groupMembers,
  isRunning,
  isTerminated,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
} from './support/runner-harness.js';

type ContainerEdit = (c: ContainerRecord) => void;

/** Appends one line per start to the pod directory's `starts`, then waits for `release`. */
const COUNTING = 'echo start >> ../../starts\nwhile [ ! -e release ]; do sleep 0.05; done\nexit 7\n';

describe('runner: a start never runs twice (real processes)', function () {
  this.timeout(60_000);

  describe('the wrapper records the run in its run file', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-wrapper-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    for (const shell of ['/bin/sh', 'bash']) {
      // As launchContainer runs it: fd 3 the container directory, fd 4 the exitcode tmp file.
      const run = (token: string): { status: number; stderr: string } => {
        const handle = openContainerDir(dir);
        const exitFd = openExitCodeTarget(handle);
        try {
          execFileSync(
            shell,
            [
              '-c',
              WRAPPER_SCRIPT,
              'vk-cmd-wrapper',
              WRAPPER_DIR_ARG,
              '/bin/sh',
              '-c',
              'echo ran >> out; exit 3',
            ],
            {
              env: { ...process.env, VK_CMD_LAUNCH_TOKEN: token },
              cwd: dir,
              stdio: ['ignore', 'ignore', 'pipe', handle.fd, exitFd],
            },
          );
          return { status: 0, stderr: '' };
        } catch (err) {
          const e = err as { status: number; stderr: Buffer };
          return { status: e.status, stderr: e.stderr.toString() };
        } finally {
          closeSync(exitFd);
          handle.close();
        }
      };

      it(`${shell}: pid when the run begins, the status when it ends, then exitcode`, () => {
        expect(run('t1')).to.deep.equal({ status: 3, stderr: '' });
        const [pid, code, rest] = readFileSync(path.join(dir, '.run-t1'), 'utf8').split('\n');
        expect([Number(pid) > 1, code, rest]).to.deep.equal([true, '3', '']);
        expect(readFileSync(path.join(dir, 'exitcode'), 'utf8')).to.equal('3\n');
        expect(readFileSync(path.join(dir, 'out'), 'utf8')).to.equal('ran\n');
      });

      it(`${shell}: a run whose file a runner claimed runs nothing and says nothing`, () => {
        writeFileSync(path.join(dir, '.run-t2'), 'claimed\n');
        expect(run('t2')).to.deep.equal({ status: 0, stderr: '' });
        expect(existsSync(path.join(dir, 'out'))).to.equal(false);
        expect(existsSync(path.join(dir, 'exitcode'))).to.equal(false);
        expect(readFileSync(path.join(dir, '.run-t2'), 'utf8')).to.equal('claimed\n');
      });
    }
  });

  describe('the runner killed between saving the intent and recording the run', () => {
    let h: RunnerHarness;
    before(async () => {
      h = new RunnerHarness();
      await h.startProcess();
    });
    after(async () => h.close());

    const podDir = (name: string): string => path.join(h.rootDir, 'ns1', name);
    const starts = (name: string): number =>
      readFileSync(path.join(podDir(name), 'starts'), 'utf8')
        .split('\n')
        .filter(Boolean).length;

    /** Kills the runner and rewrites the pod's record with `edit`, as a runner killed at that moment left it. */
    async function killAndEdit(uid: string, edit: ContainerEdit): Promise<void> {
      await h.killProcess('SIGKILL');
      const store = new PodStateStore(path.join(h.rootDir, '.vk-cmd'), pino({ level: 'silent' }));
      const record = store.loadAll().find((r) => r.uid === uid)!;
      edit(record.containers[0]!);
      store.save(record);
    }

    async function runsOnce(name: string, edit: ContainerEdit, removePgidFile: boolean): Promise<void> {
      const spec = scriptPod(name, COUNTING);
      let watcher = h.watch();
      await h.create(spec);
      const pgid = status(await watcher.waitForPod(spec.uid!, isRunning('c1')), 'c1').pgid;
      await eventually(() => existsSync(path.join(podDir(name), 'starts')), 10_000, 'the script started');
      await killAndEdit(spec.uid!, edit);
      if (removePgidFile) unlinkSync(path.join(podDir(name), 'containers', 'c1', 'pgid'));
      await h.startProcess();
      watcher = h.watch();
      const adopted = await watcher.waitForPod(spec.uid!, isRunning('c1'));
      expect(status(adopted, 'c1').pgid, 'the same group, adopted').to.equal(pgid);
      expect(readFileSync(path.join(podDir(name), 'containers', 'c1', 'pgid'), 'utf8')).to.equal(`${pgid}\n`);
      writeFileSync(path.join(podDir(name), 'containers', 'c1', 'release'), '');
      const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
      expect([terminated(done, 'c1').exitCode, terminated(done, 'c1').reason]).to.deep.equal([7, 'Error']);
      expect(starts(name), 'the script ran once').to.equal(1);
      expect(groupMembers(pgid)).to.deep.equal([]);
    }

    it('the intent saved, the pgid file not yet written: the running group is adopted, never started again', () =>
      runsOnce(
        'intent',
        (c) => {
          c.state = waiting('ContainerCreating');
          c.pgid = 0;
          c.launching = true;
        },
        true,
      ));

    it('the record cut short to waiting with pgid 0 (the original repro): adopted, not started again', () =>
      runsOnce(
        'repro',
        (c) => {
          c.state = waiting('ContainerCreating');
          c.pgid = 0;
        },
        false,
      ));

    it('the intent saved, the process never spawned: started once', async () => {
      const spec = scriptPod('never-spawned', 'echo start >> ../../starts\nexit 4\n');
      spec.containers![0]!.command = ['/no/such/shell'];
      let watcher = h.watch();
      await h.create(spec);
      await watcher.waitForPod(spec.uid!, isTerminated('c1'));
      await killAndEdit(spec.uid!, (c) => {
        c.state = waiting('ContainerCreating');
        c.launching = true;
        c.launchToken = 'never-spawned-token';
        c.launch!.argv[0] = 'bash';
      });
      await h.startProcess();
      watcher = h.watch();
      const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
      expect(terminated(done, 'c1').exitCode).to.equal(4);
      expect(starts('never-spawned')).to.equal(1);
      expect(
        readFileSync(
          path.join(podDir('never-spawned'), 'containers', 'c1', '.run-never-spawned-token'),
          'utf8',
        ),
      ).to.equal('claimed\n');
    });

    it('the log has "Started container" for every start acknowledged before a kill -9', async () => {
      const specs = Array.from({ length: 40 }, (_, i) => scriptPod(`logged-${i}`, 'sleep 30\n'));
      const watcher = h.watch();
      await Promise.all(specs.map((s) => h.create(s)));
      for (const s of specs) await watcher.waitForPod(s.uid!, isRunning('c1'));
      await h.killProcess('SIGKILL');
      const started = readFileSync(h.logFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"Started container"'));
      const missing = specs.filter((s) => !started.some((l) => l.includes(`"ns1/${s.name}"`)));
      expect(missing.map((s) => s.name)).to.deep.equal([]);
      await h.startProcess();
    });
  });
});
