import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { GroupMonitor, type GroupEnd } from '../../../../src/runner/process/group-monitor.js';
import { ProcessScanner } from '../../../../src/runner/process/process-scanner.js';
import type { ProcEntry } from '../../../../src/runner/process/process-table.js';
import { FakeClock } from '../support/fake-clock.js';
import { proc, silent } from '../support/fake-world.js';

class FakeProc {
  procs = new Map<number, ProcEntry>();
  scans = 0;
  fail = false;
  identityReads: number[] = [];
  scan(): ProcEntry[] {
    this.scans++;
    if (this.fail) throw new Error('EACCES /proc');
    return [...this.procs.values()];
  }
  readPodIdentity(pid: number) {
    this.identityReads.push(pid);
    return pid === 900 ? { uid: 'u', podDir: '/d' } : undefined;
  }
}

function scannerFor(source: FakeProc, clock: FakeClock, known = new Set<number>(), elapsed?: () => number) {
  return new ProcessScanner(source, clock, () => known, silent, 1, elapsed ?? (() => clock.nowMs()));
}

describe('process-scanner: one shared /proc scan', () => {
  it('every request made before the scan runs shares it; callbacks run in order', async () => {
    const clock = new FakeClock();
    const source = new FakeProc();
    source.procs.set(10, proc(10, 10));
    const scanner = scannerFor(source, clock);
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) scanner.request((s) => seen.push(`${i}:${s?.entries.length}`));
    const stats = scanner.snapshot();
    await clock.advance(2);
    expect(source.scans).to.equal(1);
    expect(seen).to.have.length(100);
    expect(seen[0]).to.equal('0:1');
    expect((await stats).entries).to.have.length(1);
    scanner.request(() => undefined);
    await clock.advance(2);
    expect(source.scans).to.equal(2);
  });

  it('after a slow round the next scan waits at least as long as that round took', async () => {
    const clock = new FakeClock();
    let elapsed = 0;
    const source = new FakeProc();
    const scanner = scannerFor(source, clock, new Set(), () => elapsed);
    scanner.request(() => {
      elapsed += 40; // the scan and its callbacks took 40 ms
    });
    await clock.advance(2);
    scanner.request(() => undefined);
    expect(clock.pending).to.deep.equal([40]);
  });

  it('a request made by a callback of a slow round also waits as long as that round took', async () => {
    const clock = new FakeClock();
    let elapsed = 0;
    const source = new FakeProc();
    const scanner = scannerFor(source, clock, new Set(), () => elapsed);
    scanner.request(() => {
      elapsed += 40;
      scanner.request(() => undefined); // e.g. a deletion's stray check after its SIGTERM
    });
    await clock.advance(2);
    expect(clock.pending).to.deep.equal([40]);
    expect(source.scans).to.equal(1);
  });

  it('reports a failed scan to every caller; a failing callback does not stop the others', async () => {
    const clock = new FakeClock();
    const source = new FakeProc();
    source.fail = true;
    const scanner = scannerFor(source, clock);
    const errors: string[] = [];
    scanner.request(() => {
      throw new Error('bug');
    });
    scanner.request((s, err) => errors.push(`${s === undefined} ${err?.message}`));
    const rejected = scanner.snapshot().then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await clock.advance(2);
    expect(errors).to.deep.equal(['true EACCES /proc']);
    expect(await rejected).to.equal('EACCES /proc');
  });

  it('reads environments only of live processes outside the known groups, once per snapshot', async () => {
    const clock = new FakeClock();
    const source = new FakeProc();
    for (const p of [
      proc(500, 500),
      proc(501, 500),
      proc(900, 900),
      proc(901, 901, { state: 'Z' }),
      proc(1, 1),
    ]) {
      source.procs.set(p.pid, p);
    }
    const scanner = scannerFor(source, clock, new Set([500]));
    const snapshot = scanner.snapshot();
    await clock.advance(2);
    const s = await snapshot;
    expect(s.taggedWith({ uid: 'u', podDir: '/d' }).map((e) => e.pid)).to.deep.equal([900]);
    expect(s.taggedWith({ uid: 'u', podDir: '/other' })).to.deep.equal([]);
    // 1 is the runner itself here; 500/501 are in a known group; 901 is a zombie.
    expect(source.identityReads).to.deep.equal([900]);
  });

  it("with the time since boot, later snapshots reuse what old processes' environments said", async () => {
    const clock = new FakeClock();
    const source = new FakeProc();
    const uptime = { ticks: 100_000 };
    const timed = Object.assign(source, { uptimeTicks: () => uptime.ticks });
    source.procs.set(900, proc(900, 900, { ppid: 2, startTicks: 10 }));
    source.procs.set(950, proc(950, 950, { ppid: 2, startTicks: 10 }));
    const scanner = scannerFor(timed, clock);
    for (let i = 0; i < 3; i++) {
      const snapshot = scanner.snapshot();
      await clock.advance(2);
      expect((await snapshot).taggedWith({ uid: 'u', podDir: '/d' }).map((e) => e.pid)).to.deep.equal([900]);
    }
    expect(source.identityReads).to.deep.equal([900, 950]);
    expect(scanner.environReads).to.equal(2);
  });
});

describe('group-monitor: cheap checks, rare shared scans', () => {
  function setup() {
    const clock = new FakeClock();
    const source = new FakeProc();
    const exists = new Set<number>();
    let existsCalls = 0;
    const monitor = new GroupMonitor(
      scannerFor(source, clock),
      (pgid) => {
        existsCalls++;
        return exists.has(pgid);
      },
      clock,
      silent,
      250,
      5_000,
    );
    const ended: GroupEnd[] = [];
    return { clock, source, exists, monitor, ended, calls: () => existsCalls };
  }

  it('re-adopted groups cost kill(-pgid, 0) per tick and, once settled, one full scan every 5 s for all', async () => {
    const { clock, source, exists, monitor, ended, calls } = setup();
    for (let g = 100; g < 200; g++) {
      exists.add(g);
      source.procs.set(g, proc(g, g));
      monitor.adopt(g, (e) => ended.push(e));
    }
    await clock.advance(3_100);
    expect(source.scans, 'shared scans at each tick just after adoption').to.equal(12);
    const [scansBefore, callsBefore] = [source.scans, calls()];
    await clock.advance(10_000);
    expect(source.scans - scansBefore).to.equal(2);
    expect(calls() - callsBefore).to.equal(100 * 40);
    expect(ended).to.deep.equal([]);

    exists.delete(100);
    source.procs.delete(100);
    await clock.advance(250);
    expect(ended.map((e) => [e.pgid, e.leaderExit, e.scanError])).to.deep.equal([
      [100, undefined, undefined],
    ]);

    // kill() still finds a group of zombies; the full scan does not.
    source.procs.set(101, proc(101, 101, { state: 'Z' }));
    await clock.advance(5_000);
    expect(ended.map((e) => e.pgid)).to.deep.equal([100, 101]);
    // Right after checkSoon() (SIGKILL sent, exitcode written) zombies are noticed at the next tick.
    source.procs.set(102, proc(102, 102, { state: 'Z' }));
    monitor.checkSoon();
    await clock.advance(260);
    expect(ended.map((e) => e.pgid)).to.deep.equal([100, 101, 102]);
    monitor.stop();
    expect(clock.pending).to.deep.equal([]);
  });

  it("a child leader's exit ends its group at once when nothing is left, else when the rest ends", async () => {
    const { clock, exists, monitor, ended } = setup();
    const child = (): ChildProcess => new EventEmitter() as ChildProcess;
    const a = child();
    const b = child();
    monitor.watchChild(300, a, (e) => ended.push(e));
    monitor.watchChild(301, b, (e) => ended.push(e));
    a.emit('exit', 3, null);
    expect(ended.map((e) => [e.pgid, e.leaderExit])).to.deep.equal([[300, { code: 3, signal: null }]]);
    exists.add(301);
    b.emit('exit', 0, null);
    expect(monitor.watchedCount).to.equal(1);
    exists.delete(301);
    monitor.checkSoon();
    await clock.advance(0);
    expect(ended.map((e) => e.pgid)).to.deep.equal([300, 301]);
  });

  it('an exitcode file of a group that is not lingering starts no fast checks of the lingering ones', async () => {
    const { clock, source, exists, monitor, ended } = setup();
    exists.add(500);
    source.procs.set(500, proc(500, 500));
    monitor.adopt(500, (e) => ended.push(e));
    await clock.advance(5_000); // past the fast window that adoption opens
    const scansBefore = source.scans;
    monitor.checkSoon(777); // our own child's exitcode file: nothing lingering to look at
    await clock.advance(3_000);
    expect(source.scans - scansBefore, 'only the slow periodic scan').to.be.at.most(1);
    monitor.checkSoon(500);
    await clock.advance(3_000);
    expect(source.scans - scansBefore, 'fast checks for a lingering group').to.be.at.least(5);
    expect(ended).to.deep.equal([]);
    monitor.stop();
  });

  it('when /proc cannot be scanned three times in a row the groups end with the error (getPidsError)', async () => {
    const { clock, source, exists, monitor, ended } = setup();
    exists.add(400);
    monitor.adopt(400, (e) => ended.push(e));
    source.fail = true;
    await clock.advance(300);
    expect(source.scans).to.equal(2);
    expect(ended).to.deep.equal([]);
    await clock.advance(250);
    expect(source.scans).to.equal(3);
    expect(ended.map((e) => [e.pgid, e.scanError?.message])).to.deep.equal([[400, 'EACCES /proc']]);
  });
});
