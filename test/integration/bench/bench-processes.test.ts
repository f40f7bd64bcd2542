import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Burners } from '../../../bench/burners.js';
import { CleanupStack } from '../../../bench/cleanup-stack.js';
import { Priorities, procNiceControl } from '../../../bench/priority.js';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves once `pid` is gone from /proc (or a zombie), rejecting after `timeoutMs`. */
async function gone(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stat = `/proc/${pid}/stat`;
    if (!existsSync(stat) || / Z /.test(readFileSync(stat, 'utf8'))) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} still there`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('bench: the processes it starts', function () {
  this.timeout(60_000);

  it('burners busy-loop at nice 0 and the clean-up stack stops them', async () => {
    const cleanup = new CleanupStack();
    const burners = new Burners(2, new Priorities());
    burners.start(cleanup);
    expect(burners.pids).to.have.length(2);
    expect(burners.alive()).to.equal(2);
    for (const pid of burners.pids) expect(procNiceControl.read(pid)).to.deep.equal([0]);
    const pids = burners.pids;
    await cleanup.runAll((m) => {
      throw new Error(m);
    });
    for (const pid of pids) await gone(pid);
    expect(burners.alive()).to.equal(0);
  });

  it('sets a nice value on every thread of a process', async () => {
    // A Node.js process has several threads; a lower priority needs no privilege.
    const child = spawn(process.execPath, ['-e', 'console.log("ready"); setTimeout(() => {}, 30000)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      // Running JavaScript: V8's and libuv's threads exist by then.
      await new Promise((r) => child.stdout!.once('data', r));
      procNiceControl.set(child.pid!, 7);
      const nice = procNiceControl.read(child.pid!);
      expect(nice.length).to.be.greaterThan(1);
      expect(new Set(nice)).to.deep.equal(new Set([7]));
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });
});
