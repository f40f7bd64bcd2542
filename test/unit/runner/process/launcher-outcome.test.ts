import { expect } from 'chai';
import {
  CRASH_LOOP_DELAY_MS,
  errnoText,
  launcherRestartDelay,
  launchFailureOf,
  startedGroupOf,
} from '../../../../src/runner/process/launcher-outcome.js';

const err = (step: string, errno: number, childFd?: number) =>
  ({ kind: 'err', id: 1, step, errno, childFd }) as const;

describe('launcher-outcome: what a failed start means', () => {
  const table: Array<[string, ReturnType<typeof err>, string, RegExp]> = [
    [
      'stdout cannot be opened',
      err('open', 13, 1),
      'createStdoutFileError',
      /^failed to create stdout file: EACCES \(permission denied\)$/,
    ],
    [
      'stderr cannot be opened',
      err('open', 28, 2),
      'createStderrFileError',
      /^failed to create stderr file: ENOSPC$/,
    ],
    [
      'another fd cannot be opened',
      err('open', 2, 5),
      'cmdStartError',
      /^cannot open fd 5 of the run: ENOENT/,
    ],
    [
      'the working directory is gone',
      err('chdir', 2),
      'cmdStartError',
      /^chdir \/w: ENOENT \(no such file or directory\); check the container's workingDir$/,
    ],
    [
      'the program cannot be executed',
      err('exec', 8),
      'cmdStartError',
      /^exec \/bin\/sh: ENOEXEC \(exec format error\); check the container's command$/,
    ],
    [
      'fork fails',
      err('fork', 11),
      'cmdStartError',
      /^the launcher could not start the run \(fork\): EAGAIN/,
    ],
    ['setsid fails', err('setsid', 1), 'cmdStartError', /\(setsid\): EPERM/],
  ];
  for (const [name, reply, reason, message] of table) {
    it(name, () => {
      const f = launchFailureOf(reply, '/w', '/bin/sh');
      expect(f.reason).to.equal(reason);
      expect(f.message).to.match(message);
    });
  }

  it('names an errno Node does not know by its number', () =>
    expect(errnoText(100_000)).to.equal('errno 100000'));

  it('a leader that leads its own group is started; any other is getPgidError', () => {
    const ok = { kind: 'ok', id: 1, pid: 50, startTicks: 9 } as const;
    expect(startedGroupOf({ ...ok, pgrp: 50 })).to.deep.equal({ ok: true, pgid: 50, leaderStartTicks: 9 });
    expect(startedGroupOf({ ...ok, pgrp: 0 })).to.deep.equal({
      ok: false,
      reason: 'getPgidError',
      message: 'failed to get pgid of process 50',
    });
  });
});

describe('launcher-outcome: when a dead launcher is started again', () => {
  const table: Array<[string, number[], number, number, number[]]> = [
    ['the first death: at once', [], 100_000, 0, [100_000]],
    ['a second within a minute: at once', [90_000], 100_000, 0, [90_000, 100_000]],
    [
      'a third within a minute: after the delay',
      [50_000, 90_000],
      100_000,
      CRASH_LOOP_DELAY_MS,
      [50_000, 90_000, 100_000],
    ],
    ['deaths older than a minute are forgotten', [10_000, 30_000], 100_000, 0, [100_000]],
  ];
  for (const [name, earlier, now, delayMs, crashesMs] of table) {
    it(name, () => expect(launcherRestartDelay(earlier, now)).to.deep.equal({ delayMs, crashesMs }));
  }
});
