import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { systemClock } from '../../../src/runner/clock.js';
import { findLauncher } from '../../../src/runner/process/find-launcher.js';
import { LauncherClient, type LauncherStart } from '../../../src/runner/process/launcher-client.js';
import { MAX_WRITTEN_UNANSWERED } from '../../../src/runner/process/pending-starts.js';
import {
  decodeEvent,
  decodeFrameBody,
  encodeFrame,
  FrameDecoder,
  HELLO_FRAME,
} from '../../../src/runner/process/launcher-protocol.js';
import { ProcessTable } from '../../../src/runner/process/process-table.js';
import { eventually, groupMembers, isAlive } from './support/runner-harness.js';

/*
 * vk-cmd-launcher (native/vk-cmd-launcher.c) driven directly: its protocol,
 * the groups it starts, the exits it pushes, and what its death and the
 * runner's leave running.
 */

const silent = pino({ level: 'silent' });
const O_RDONLY = 0;
const O_WRONLY_APPEND = 0o2001;

function launcherFile(): string {
  const file = findLauncher({});
  if (!file) throw new Error('vk-cmd-launcher is not built (make build)');
  return file;
}

function started(r: LauncherStart): Extract<LauncherStart, { kind: 'started' }> {
  if (r.kind !== 'started') throw new Error(`not started: ${JSON.stringify(r)}`);
  return r;
}

describe('vk-cmd-launcher: protocol and groups', function () {
  this.timeout(30_000);
  let dir: string;
  let client: LauncherClient;
  const groups: number[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-launcher-'));
    client = new LauncherClient(launcherFile(), { ...process.env }, systemClock, silent);
    expect(await client.start()).to.equal(true);
  });
  afterEach(() => {
    client.stop();
    for (const g of groups.splice(0)) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // The fd the request names stays open until the reply.
  const sh = async (
    script: string,
    extra: { env?: Record<string, string>; cwd?: string } = {},
  ): Promise<LauncherStart> => {
    const out = openSync(path.join(dir, 'out'), 'a');
    try {
      return await client.spawnGroup({
        argv: ['/bin/sh', '-c', script],
        env: extra.env ?? { PATH: '/usr/bin:/bin' },
        cwd: extra.cwd ?? dir,
        setsid: true,
        files: [
          { childFd: 0, flags: O_RDONLY, path: '/dev/null' },
          { childFd: 1, flags: O_WRONLY_APPEND, path: `/proc/${process.pid}/fd/${out}` },
          { childFd: 2, flags: O_WRONLY_APPEND, path: `/proc/${process.pid}/fd/${out}` },
        ],
      });
    } finally {
      closeSync(out);
    }
  };

  it('starts a session leader with exactly the env, cwd and fds asked for, and pushes its exit code', async () => {
    const r = started(
      await sh('echo "$FOO $(pwd) $$"; ls /proc/self/fd | wc -l; exit 7', { env: { FOO: 'bar' } }),
    );
    expect(r.pgrp).to.equal(r.pid);
    const code = await new Promise((resolve) => r.exits.once('exit', (c, s) => resolve([c, s])));
    expect(code).to.deep.equal([7, null]);
    // 0, 1, 2 and the fd ls opens to list them: nothing of the launcher leaks.
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).to.equal(`bar ${dir} ${r.pid}\n4\n`);
    expect(r.startTicks).to.be.greaterThan(0);
  });

  it('a container start overtakes queued commands, and at most MAX_WRITTEN_UNANSWERED requests are written ahead', async () => {
    const req = {
      argv: ['/bin/true'],
      env: {},
      cwd: dir,
      setsid: true,
      files: [{ childFd: 0, flags: O_RDONLY, path: '/dev/null' }],
    };
    const order: string[] = [];
    let mostInFlight = 0;
    const track = (name: string, p: Promise<LauncherStart>): Promise<void> =>
      p.then((r) => {
        mostInFlight = Math.max(mostInFlight, client.inFlight);
        groups.push(started(r).pgrp);
        order.push(name);
      });
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 30; i++) {
      all.push(track(`command ${i}`, client.spawnGroup(req, 'command')));
    }
    all.push(track('container', client.spawnGroup(req)));
    await Promise.all(all);
    expect(mostInFlight).to.be.at.most(MAX_WRITTEN_UNANSWERED);
    // Only the commands already written (or being written) when it came can go before it.
    expect(order.indexOf('container')).to.be.at.most(MAX_WRITTEN_UNANSWERED + 1);
    expect(order.filter((n) => n.startsWith('command'))).to.deep.equal(
      Array.from({ length: 30 }, (_, i) => `command ${i}`),
    );
  });

  it('pushes a death by signal', async () => {
    const r = started(await sh('kill -9 $$'));
    const end = await new Promise((resolve) => r.exits.once('exit', (c, s) => resolve([c, s])));
    expect(end).to.deep.equal([null, 'SIGKILL']);
  });

  it('answers which step failed: exec, chdir, open (with the child fd)', async () => {
    const noExec = await client.spawnGroup({
      argv: ['/nonexistent/x'],
      env: {},
      cwd: dir,
      setsid: true,
      files: [],
    });
    expect(noExec).to.deep.include({ kind: 'failed' });
    expect(noExec.kind === 'failed' && [noExec.reply.step, noExec.reply.errno]).to.deep.equal(['exec', 2]);
    const noDir = await client.spawnGroup({
      argv: ['/bin/true'],
      env: {},
      cwd: `${dir}/gone`,
      setsid: true,
      files: [],
    });
    expect(noDir.kind === 'failed' && [noDir.reply.step, noDir.reply.errno]).to.deep.equal(['chdir', 2]);
    const noFile = await client.spawnGroup({
      argv: ['/bin/true'],
      env: {},
      cwd: dir,
      setsid: true,
      files: [{ childFd: 1, flags: O_WRONLY_APPEND, path: `${dir}/missing/out` }],
    });
    expect(noFile.kind === 'failed' && [noFile.reply.step, noFile.reply.childFd]).to.deep.equal(['open', 1]);
    // Still serving after failures.
    expect((await sh('exit 0')).kind).to.equal('started');
  });

  it("exits when the runner's end closes, leaving its groups running", async () => {
    const r = started(await sh('exec sleep 30'));
    groups.push(r.pid);
    const launcherPid = client.pid!;
    client.stop();
    await eventually(() => !isAlive(launcherPid), 5_000, 'the launcher to exit');
    expect(groupMembers(r.pid)).to.deep.equal([r.pid]);
  });

  it('killed with SIGKILL: its groups keep running, their exits are reported lost, and it is started again', async () => {
    const r = started(await sh('exec sleep 30'));
    groups.push(r.pid);
    const lost = new Promise<string>((resolve) => r.exits.once('lost', () => resolve('lost')));
    const first = client.pid!;
    process.kill(first, 'SIGKILL');
    expect(await lost).to.equal('lost');
    expect(groupMembers(r.pid)).to.deep.equal([r.pid]);
    await eventually(() => client.available && client.pid !== first, 10_000, 'a new launcher');
    const again = started(await sh('exec sleep 30'));
    groups.push(again.pid);
    expect(new ProcessTable().read(again.pid)?.ppid).to.equal(client.pid);
  });

  it('a start in flight when it dies is reported lost; the child it forked may run on', async () => {
    client.stop();
    client = new LauncherClient(
      launcherFile(),
      { ...process.env, VK_CMD_TEST_CRASH_POINTS: 'launcher.after-fork:2' },
      systemClock,
      silent,
    );
    expect(await client.start()).to.equal(true);
    expect((await sh('exit 0')).kind).to.equal('started');
    const r = await sh(`echo ran >> ${dir}/ran; exec sleep 30`);
    expect(r.kind).to.equal('lost');
    expect(client.available).to.equal(false);
    const ran = await eventually(
      () => {
        try {
          // The shell creates the file before it writes the line: wait for the whole line.
          const text = readFileSync(`${dir}/ran`, 'utf8');
          return text.endsWith('\n') ? text : undefined;
        } catch {
          return undefined;
        }
      },
      10_000,
      'the orphaned child to run',
    );
    expect(ran).to.equal('ran\n');
    // A first crash is restarted at once (launcherRestartDelay); the new launcher serves the next start.
    await eventually(() => client.available, 10_000, 'the launcher started again');
    expect((await sh('exit 0')).kind).to.equal('started');
  });
});

describe('vk-cmd-launcher: raw frames', function () {
  this.timeout(30_000);

  it('says ready with its pipes, refuses a start without argv, ignores unknown frames and exits at the end of input', async () => {
    const proc = spawn(launcherFile(), [], { stdio: ['ignore', 'pipe', 'inherit'] });
    const decoder = new FrameDecoder();
    const ready = await new Promise<ReturnType<typeof decodeEvent>>((resolve) =>
      proc.stdout.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) resolve(decodeEvent(f));
      }),
    );
    if (ready.kind !== 'ready') throw new Error('no ready event');
    expect(ready.pid).to.equal(proc.pid);
    const req = openSync(`/proc/${ready.pid}/fd/${ready.requestFd}`, 'w');
    const reply = openSync(`/proc/${ready.pid}/fd/${ready.replyFd}`, 'r');
    writeSync(req, HELLO_FRAME);
    writeSync(req, encodeFrame('future', [['x', '1']]));
    writeSync(req, encodeFrame('start', [['i', '9']]));
    const head = Buffer.alloc(4);
    expect(readSync(reply, head)).to.equal(4);
    const body = Buffer.alloc(head.readUInt32LE(0));
    expect(readSync(reply, body)).to.equal(body.length);
    expect(decodeFrameBody(body)).to.deep.equal({
      type: 'err',
      fields: [
        ['i', '9'],
        ['x', 'request'],
        ['n', String(os.constants.errno.EINVAL)],
      ],
    });
    const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    closeSync(req);
    expect(await exited).to.equal(0);
    closeSync(reply);
  });
});
