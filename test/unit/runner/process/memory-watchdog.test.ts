import { expect } from 'chai';
import { pino } from 'pino';
import {
  MemoryWatchdog,
  watchdogVerdict,
  workingSetBytes,
} from '../../../../src/runner/process/memory-watchdog.js';
import { ProcessScanner } from '../../../../src/runner/process/process-scanner.js';
import type { ProcEntry } from '../../../../src/runner/process/process-table.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { proc } from '../support/fake-world.js';

const silent = pino({ level: 'silent' });
const PAGE = 4096;
const MiB = 2 ** 20;

describe('memory watchdog: verdicts', () => {
  const cases: Array<[string, number, number, ReturnType<typeof watchdogVerdict>]> = [
    ['far below the limit: every second', 10 * MiB, 32 * MiB, { kill: false, nextCheckMs: 1_000 }],
    ['at 80 %: five times a second', 25.6 * MiB, 32 * MiB, { kill: false, nextCheckMs: 200 }],
    ['at the limit: not yet', 32 * MiB, 32 * MiB, { kill: false, nextCheckMs: 200 }],
    ['past the limit: kill', 32 * MiB + 1, 32 * MiB, { kill: true }],
  ];
  for (const [what, usage, limit, want] of cases) {
    it(what, () => expect(watchdogVerdict(usage, limit)).to.deep.equal(want));
  }

  it('the working set is the resident pages of the live members', () => {
    expect(workingSetBytes([proc(1, 1, { rssPages: 10 }), proc(2, 1, { rssPages: 5 })], PAGE)).to.equal(
      15 * PAGE,
    );
    expect(workingSetBytes([], PAGE)).to.equal(0);
  });
});

describe('memory watchdog: watching groups (fake clock, fake /proc)', () => {
  function world() {
    const clock = new FakeClock();
    const procs = new Map<number, ProcEntry>();
    const scanner = new ProcessScanner(
      { scan: () => [...procs.values()], readPodIdentity: () => undefined },
      clock,
      () => new Set(),
      silent,
      1,
      // The round's length on the fake clock: a slow real round under load must not delay the next scan.
      () => clock.nowMs(),
    );
    const dog = new MemoryWatchdog(scanner, clock, PAGE, silent);
    return { clock, procs, scanner, dog };
  }
  const pages = (bytes: number) => Math.ceil(bytes / PAGE);

  it('kills a group once it passes its limit, looking more often near it, with one scan per round', async () => {
    const { clock, procs, scanner, dog } = world();
    procs.set(100, proc(100, 100, { rssPages: pages(8 * MiB) }));
    procs.set(200, proc(200, 200, { rssPages: pages(8 * MiB) }));
    const exceeded: Array<[number, number]> = [];
    dog.watch(100, 32 * MiB, (usage) => exceeded.push([100, usage]));
    dog.watch(200, 64 * MiB, (usage) => exceeded.push([200, usage]));
    await clock.advance(10);
    expect(scanner.scans).to.equal(1);
    expect(clock.pending[0]).to.be.within(980, 1_000);
    procs.set(101, proc(101, 100, { rssPages: pages(20 * MiB) })); // 28 MiB: near the limit
    await clock.advance(1_000);
    expect(scanner.scans).to.equal(2);
    expect(clock.pending[0]).to.be.at.most(200);
    procs.set(102, proc(102, 100, { rssPages: pages(8 * MiB) })); // 36 MiB
    await clock.advance(210);
    expect(exceeded).to.deep.equal([[100, pages(8 * MiB) * PAGE * 2 + pages(20 * MiB) * PAGE]]);
    expect(dog.watchedCount).to.equal(1);
    dog.stop();
    expect(clock.pending).to.deep.equal([]);
  });

  it('forgets a group whose run ended', async () => {
    const { clock, dog } = world();
    dog.watch(100, MiB, () => expect.fail('not watched any more'));
    dog.forget(100);
    await clock.advance(5_000);
    expect(dog.watchedCount).to.equal(0);
    await flush();
  });
});
