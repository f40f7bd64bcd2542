import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import { ProcessTable } from '../../../src/runner/process/process-table.js';
import {
  isRunning,
  RunnerHarness,
  runnerCommand,
  scriptPod,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

/** Tests run as root in CI: files are planted as this uid. Not root: only the mode rules are tested. */
const OTHER_UID = 65534;
const isRoot = process.geteuid?.() === 0;

function run(args: string[]) {
  const cmd = runnerCommand(args);
  return spawnSync(cmd.file, cmd.args, { encoding: 'utf8', env: cmd.env, timeout: 20_000 });
}

/** The error lines of a runner log (pino JSON). */
function errorLines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === 'error')
    .map((l) => l.msg);
}

describe('runner: a state directory only the runner can write', function () {
  this.timeout(60_000);

  describe('at start (real bin/vk-cmd-runner)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-statedir-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const args = (state: string): string[] => [
      '--listen',
      `unix://${path.join(dir, 'sock', 'r.sock')}`,
      '--root-dir',
      path.join(dir, 'root'),
      '--state-dir',
      state,
    ];

    it('refuses a state directory others can write, with exit code 2 and how to fix it', () => {
      const state = path.join(dir, 'state');
      mkdirSync(state);
      chmodSync(state, 0o777);
      const r = run(args(state));
      expect(r.status).to.equal(2);
      expect(r.stderr).to.equal(
        `vk-cmd-runner: state directory ${state} is writable by group and others (mode 0777); run chmod 700 ${state} or choose --state-dir\n`,
      );
      chmodSync(state, 0o700);
      mkdirSync(path.join(state, 'pods'), { mode: 0o700 });
      chmodSync(path.join(state, 'pods'), 0o770);
      const pods = run(args(state));
      expect(pods.status).to.equal(2);
      expect(pods.stderr).to.contain(`state directory ${state}/pods is writable by group (mode 0770)`);
    });

    it('refuses a state directory another user owns (as root: chown to 65534)', function () {
      const state = path.join(dir, 'theirs');
      mkdirSync(state, { mode: 0o700 });
      if (!isRoot) {
        console.log('      not root: the owner rule is covered by the unit tests only');
        return;
      }
      chownSync(state, OTHER_UID, OTHER_UID);
      const r = run(args(state));
      expect(r.status).to.equal(2);
      expect(r.stderr).to.contain(
        `state directory ${state} belongs to uid ${OTHER_UID}, not to this user (uid 0)`,
      );
    });
  });

  describe('planted state files (in-process runner, restarted)', () => {
    let h: RunnerHarness;
    let watcher: PodWatcher;
    before(async () => {
      h = new RunnerHarness();
      await h.startInProcess();
      watcher = h.watch();
    });
    after(async () => h.close());

    it('records, the deleted-pods file and the lock file another user owns or that are not 0600 are skipped with an error naming them', async () => {
      const stateDir = path.join(h.rootDir, '.vk-cmd');
      const own = scriptPod('own', 'exec sleep 300\n');
      const loose = scriptPod('loose', 'exec sleep 300\n');
      const foreign = scriptPod('foreign', 'exec sleep 300\n');
      for (const spec of [own, loose, foreign]) await h.create(spec);
      for (const spec of [own, loose, foreign]) await watcher.waitForPod(spec.uid!, isRunning('c1'));
      watcher.cancel();
      await h.app!.stop();

      // The records the runner wrote, whatever their format: the files named after each uid.
      const podsDir = path.join(stateDir, 'pods');
      const filesOf = (uid: string): string[] =>
        readdirSync(podsDir)
          .filter((n) => n.startsWith(uid))
          .map((n) => path.join(podsDir, n));
      for (const f of filesOf(loose.uid!)) chmodSync(f, 0o644);
      const deletedPods = path.join(stateDir, 'deleted-pods');
      writeFileSync(deletedPods, 'uid-deleted-before\n', { mode: 0o600 });
      const lock = path.join(stateDir, 'runner.lock');
      // A lock naming a live process that is not a runner: counted only if this user wrote it.
      const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
      const holderTicks = new ProcessTable().read(holder.pid!)!.startTicks;
      writeFileSync(lock, `${holder.pid} ${holderTicks}\n`, { mode: 0o600 });
      if (isRoot) {
        for (const f of filesOf(foreign.uid!)) chownSync(f, OTHER_UID, OTHER_UID);
        chownSync(deletedPods, OTHER_UID, OTHER_UID);
        chownSync(lock, OTHER_UID, OTHER_UID);
      } else {
        console.log(
          '      not root: files are planted with the wrong mode only; the owner rule is covered by the unit tests',
        );
        for (const f of [...filesOf(foreign.uid!), deletedPods, lock]) chmodSync(f, 0o640);
      }
      const problem = isRoot
        ? `it belongs to uid ${OTHER_UID}, not to this user (uid 0)`
        : 'it has mode 0640, not 0600';

      try {
        await h.startInProcess();
      } finally {
        holder.kill();
      }
      const listed = await unary<object, { pods: Pod__Output[] }>(h.client, 'ListPods', {});
      expect(listed.pods.map((p) => p.name)).to.deep.equal(['own']);
      const errors = errorLines(h.logFile);
      for (const f of filesOf(loose.uid!)) {
        expect(errors).to.include(`Skipping pod record ${f}: it has mode 0644, not 0600`);
      }
      for (const f of filesOf(foreign.uid!))
        expect(errors).to.include(`Skipping pod record ${f}: ${problem}`);
      expect(errors).to.include(`Ignoring deleted pod uids in ${deletedPods}: ${problem}`);
      expect(errors).to.include(`Ignoring lock file ${lock}: ${problem}`);
      // The ignored deleted-pods file refuses nothing, and the runner's own lock replaced the planted one.
      const again = scriptPod('again', 'exit 0\n');
      again.uid = 'uid-deleted-before';
      expect((await h.create(again)).uid).to.equal('uid-deleted-before');
      expect(readFileSync(lock, 'utf8').split(' ')[0]).to.equal(String(process.pid));
    });
  });
});
