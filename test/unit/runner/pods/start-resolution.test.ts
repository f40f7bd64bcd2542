import { expect } from 'chai';
import type { RunFileState } from '../../../../src/runner/files/run-file.js';
import { waiting } from '../../../../src/runner/pods/pod-record.js';
import {
  liveRunOf,
  resolveStart,
  resolveStarts,
  settleUnrecordedStarts,
  type StartEvidence,
  type StartResolution,
} from '../../../../src/runner/pods/start-resolution.js';
import type { ProcEntry } from '../../../../src/runner/process/process-table.js';
import { proc, record, silent } from '../support/fake-world.js';

const absent: RunFileState = { state: 'absent' };
const claimed: RunFileState = { state: 'claimed' };
const began: RunFileState = { state: 'began', pgid: 10, beganAtMs: 100 };
const exited = (code: number): RunFileState => ({
  state: 'exited',
  exitCode: code,
  beganAtMs: 100,
  endedAtMs: 200,
});
const live = { pgid: 4242, leaderStartTicks: 7 };

describe('start resolution: a start whose outcome was not recorded, settled from evidence', () => {
  it('decides from (record of what was seen, in order) alone', () => {
    const table: Array<[string, StartEvidence, StartResolution]> = [
      ['no run file yet: claim it first', { run: absent }, { kind: 'need-claim' }],
      [
        'claimed by us: it can never begin, start again',
        { run: absent, claimed: true },
        { kind: 'start-again' },
      ],
      [
        'the claim lost: the run began meanwhile',
        { run: absent, claimed: false },
        { kind: 'need-reread-after-claim' },
      ],
      [
        'began meanwhile, then a live process carries the token',
        { run: absent, claimed: false, runAfterClaim: began, live },
        { kind: 'adopt', ...live, startedAtMs: 100 },
      ],
      [
        'began meanwhile and already ended',
        { run: absent, claimed: false, runAfterClaim: exited(4) },
        { kind: 'exited', exitCode: 4, startedAtMs: 100, finishedAtMs: 200 },
      ],
      [
        'began meanwhile but the file is gone again: began, time unknown',
        { run: absent, claimed: false, runAfterClaim: absent, live },
        { kind: 'adopt', ...live, startedAtMs: 0 },
      ],
      ['an earlier runner claimed it: start again', { run: claimed }, { kind: 'start-again' }],
      [
        'the run ended and recorded its code',
        { run: exited(0) },
        { kind: 'exited', exitCode: 0, startedAtMs: 100, finishedAtMs: 200 },
      ],
      ['began, no code: look for its processes', { run: began }, { kind: 'need-sweep' }],
      [
        'began and alive: adopt its group',
        { run: began, live },
        { kind: 'adopt', ...live, startedAtMs: 100 },
      ],
      [
        'began, nothing alive: read the file again',
        { run: began, live: null },
        { kind: 'need-reread-after-sweep' },
      ],
      [
        'began, nothing alive, ended in between',
        { run: began, live: null, runAfterSweep: exited(9) },
        { kind: 'exited', exitCode: 9, startedAtMs: 100, finishedAtMs: 200 },
      ],
      [
        'began, nothing alive, no code: ended unseen (137)',
        { run: began, live: null, runAfterSweep: began },
        { kind: 'vanished', startedAtMs: 100 },
      ],
    ];
    for (const [what, evidence, want] of table) expect(resolveStart(evidence), what).to.deep.equal(want);
  });

  it("a run's group: the wrapper's pid from the run file; strays that left it are not the run", () => {
    const leader = proc(10, 10, { startTicks: 55 });
    const main = proc(12, 10, { startTicks: 60 });
    const daemon = proc(30, 30, { startTicks: 90 });
    const table: Array<[string, ProcEntry[], number, ReturnType<typeof liveRunOf>]> = [
      ['nothing carries the token', [], 10, null],
      ['the leader and its child', [main, leader, daemon], 10, { pgid: 10, leaderStartTicks: 55 }],
      ['leader gone, its child left', [daemon, main], 10, { pgid: 10, leaderStartTicks: 0 }],
      ['only a setsid daemon left: the run ended', [daemon], 10, null],
      [
        'pid not written yet: the earliest process',
        [daemon, main, leader],
        0,
        { pgid: 10, leaderStartTicks: 55 },
      ],
      ['pid not written yet, leader gone', [daemon, main], 0, { pgid: 10, leaderStartTicks: 0 }],
    ];
    for (const [what, entries, pgid, want] of table)
      expect(liveRunOf(entries, pgid), what).to.deep.equal(want);
  });

  it('gathers evidence in order: every sweep after its own read, one sweep for many starts', () => {
    const files = new Map<string, RunFileState>([
      ['/a', began],
      ['/b', absent],
      ['/c', exited(3)],
      ['/d', began],
    ]);
    const ops: string[] = [];
    const outcomes = resolveStarts(
      ['/a', '/b', '/c', '/d'].map((dir) => ({ dir, token: `t${dir}` })),
      {
        readRun: (dir) => {
          ops.push(`read ${dir}`);
          return files.get(dir)!;
        },
        claimRun: (dir) => {
          ops.push(`claim ${dir}`);
          files.set(dir, claimed);
          return true;
        },
        sweep: (tokens) => {
          ops.push(`sweep ${tokens.join(',')}`);
          // /d's run ends while the sweep runs.
          files.set('/d', exited(1));
          return new Map([['t/a', [proc(10, 10)]]]);
        },
      },
    );
    expect(outcomes.map((o) => o.kind)).to.deep.equal(['adopt', 'start-again', 'exited', 'exited']);
    expect(ops).to.deep.equal([
      'read /a',
      'read /b',
      'read /c',
      'read /d',
      'claim /b',
      'sweep t/a,t/d',
      'read /d',
    ]);
  });

  it('settles launching starts and waiting containers holding an unrecorded token; back-off is left alone', () => {
    const r = record([
      { name: 'launching', launchToken: 'tl', launching: true },
      { name: 'cut-short', launchToken: 'tc' },
      { name: 'backoff', launchToken: 'tb', state: waiting('CrashLoopBackOff'), restartAtMs: 99 },
      { name: 'fresh' },
    ]);
    const read: string[] = [];
    const settled = settleUnrecordedStarts(
      [r],
      {
        readRun: (_dir, token) => {
          read.push(token);
          return token === 'tl' ? exited(0) : began;
        },
        claimRun: () => true,
        sweep: () => new Map([['tc', [proc(10, 10)]]]),
      },
      silent,
    );
    expect(read).to.deep.equal(['tl', 'tc']);
    expect([...settled].map(([c, o]) => [c.name, o.kind])).to.deep.equal([
      ['launching', 'exited'],
      ['cut-short', 'adopt'],
    ]);
  });

  it('without evidence nothing is settled and the starts stay launching (never started again)', () => {
    const r = record([{ name: 'c1', launchToken: 'tc', state: waiting('ContainerCreating') }]);
    const settled = settleUnrecordedStarts(
      [r],
      {
        readRun: () => began,
        claimRun: () => true,
        sweep: () => {
          throw new Error('EACCES /proc');
        },
      },
      silent,
    );
    expect(settled.size).to.equal(0);
    expect(r.containers[0]!.launching).to.equal(true);
  });
});
