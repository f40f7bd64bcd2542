import { expect } from 'chai';
import {
  terminatedFor,
  type RunOutcome,
  type SETUP_FAILURE_EXIT_CODES,
} from '../../../../src/runner/pods/container-status.js';

describe('container-status: terminatedFor', () => {
  const ok = { sizeBytes: 0 };
  const table: Array<[string, RunOutcome, 'fail' | 'ignore', [number, number, string, string]]> = [
    ['exit 0, empty stderr', { kind: 'exited', exitCode: 0, stderr: ok }, 'fail', [0, 0, 'Completed', '']],
    [
      'exit 0, stderr written',
      { kind: 'exited', exitCode: 0, stderr: { sizeBytes: 5 } },
      'fail',
      [3, 0, 'stderrNotEmpty', 'The stderr file is not empty.'],
    ],
    [
      'exit 0, stderr written, policy ignore',
      { kind: 'exited', exitCode: 0, stderr: { sizeBytes: 5 } },
      'ignore',
      [0, 0, 'Completed', ''],
    ],
    [
      'exit 0, stderr unreadable',
      { kind: 'exited', exitCode: 0, stderr: { error: 'EACCES' } },
      'fail',
      [2, 0, 'getStderrFileInfoError', 'getStderrFileInfoError: cannot read the stderr file: EACCES'],
    ],
    [
      'exit 7 stays 7',
      { kind: 'exited', exitCode: 7, stderr: { sizeBytes: 9 } },
      'fail',
      [7, 0, 'Error', ''],
    ],
    ['exit 1', { kind: 'exited', exitCode: 1, stderr: ok }, 'fail', [1, 0, 'Error', '']],
    // sh reports a death by signal N as 128+N, just like `exit 128+N`: no signal is claimed.
    [
      'exit 130 is an exit code, not SIGINT',
      { kind: 'exited', exitCode: 130, stderr: ok },
      'fail',
      [130, 0, 'Error', ''],
    ],
    [
      'main process SIGKILLed (sh reports 137)',
      { kind: 'exited', exitCode: 137, stderr: ok },
      'fail',
      [137, 0, 'Error', ''],
    ],
    [
      'the kernel OOM-killed the main process (137)',
      { kind: 'exited', exitCode: 137, stderr: ok, oom: { message: 'memory limit 32Mi reached' } },
      'fail',
      [137, 0, 'OOMKilled', 'memory limit 32Mi reached'],
    ],
    [
      'the watchdog SIGKILLed the whole group, wrapper included',
      { kind: 'signaled', signal: 9, oom: { message: 'memory limit 32Mi exceeded' } },
      'fail',
      [137, 9, 'OOMKilled', 'memory limit 32Mi exceeded'],
    ],
    [
      'an OOM kill of a child does not make an exit 1 OOMKilled',
      { kind: 'exited', exitCode: 1, stderr: ok, oom: { message: 'memory limit 32Mi reached' } },
      'fail',
      [1, 0, 'Error', ''],
    ],
    [
      'OOM-killed while the runner was down',
      { kind: 'vanished', detail: 'gone', oom: { message: 'memory limit 32Mi reached' } },
      'fail',
      [137, 0, 'OOMKilled', 'memory limit 32Mi reached'],
    ],
    [
      'main process SIGTERMed during deletion',
      { kind: 'exited', exitCode: 143, stderr: ok, stop: { gracePeriodSeconds: 30, killed: false } },
      'fail',
      [143, 0, 'Error', 'stopped by pod deletion within the 30 s grace period'],
    ],
    [
      'exit 0 during deletion',
      { kind: 'exited', exitCode: 0, stderr: ok, stop: { gracePeriodSeconds: 30, killed: false } },
      'fail',
      [0, 0, 'Completed', 'stopped by pod deletion within the 30 s grace period'],
    ],
    [
      'wrapper SIGKILLed after the grace period',
      { kind: 'signaled', signal: 9, stop: { gracePeriodSeconds: 2, killed: true } },
      'fail',
      [137, 9, 'Error', 'killed after 2 s grace period'],
    ],
    [
      'wrapper killed by someone (its real wait status)',
      { kind: 'signaled', signal: 9 },
      'fail',
      [137, 9, 'Error', 'killed by SIGKILL'],
    ],
    [
      'wrapper killed by SIGINT (its real wait status)',
      { kind: 'signaled', signal: 2 },
      'fail',
      [130, 2, 'Error', 'killed by SIGINT'],
    ],
    [
      'vanished while the runner was down',
      { kind: 'vanished', detail: 'gone' },
      'fail',
      [137, 0, 'Error', 'gone'],
    ],
  ];
  for (const [what, outcome, policy, [exitCode, signal, reason, message]] of table) {
    it(what, () => {
      expect(terminatedFor(outcome, policy)).to.deep.equal({ exitCode, signal, reason, message });
    });
  }

  const setup: Array<[keyof typeof SETUP_FAILURE_EXIT_CODES, number]> = [
    ['readDefaultVolDirError', 1],
    ['copyFileError', 1],
    ['cmdStartError', 1],
    ['getPgidError', 1],
    ['createStdoutFileError', 1],
    ['createStderrFileError', 1],
    ['cmdWaitError', 1],
    ['writePgidError', 1],
    ['getPidsError', 2],
    ['getStderrFileInfoError', 2],
  ];
  for (const [reason, exitCode] of setup) {
    it(`set-up failure ${reason} -> exit ${exitCode}, message prefixed with the reason`, () => {
      const t = terminatedFor({ kind: 'setupFailed', reason, message: 'what to fix' }, 'fail');
      expect(t).to.deep.equal({ exitCode, signal: 0, reason, message: `${reason}: what to fix` });
    });
  }
});
