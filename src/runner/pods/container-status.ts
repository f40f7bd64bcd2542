import { constants } from 'node:os';
import { CGROUP_JOIN_FAILED_EXIT_CODE } from '../process/cgroup-join.js';
import type { GroupEnd } from '../process/group-monitor.js';

/** Seed reasons for set-up and bookkeeping failures, with their exit codes. */
export const SETUP_FAILURE_EXIT_CODES = {
  readDefaultVolDirError: 1,
  copyFileError: 1,
  cmdStartError: 1,
  getPgidError: 1,
  createStdoutFileError: 1,
  createStderrFileError: 1,
  cmdWaitError: 1,
  writePgidError: 1,
  getPidsError: 2,
  getStderrFileInfoError: 2,
} as const;

export type SetupFailureReason = keyof typeof SETUP_FAILURE_EXIT_CODES;

/** A set-up failure reported as a terminated container state. */
export interface SetupFailure {
  reason: SetupFailureReason;
  message: string;
}

/** `--stderr-policy`: whether exit 0 with a non-empty stderr file counts as a failure (stderrNotEmpty). */
export type StderrPolicy = 'fail' | 'ignore';

export function isSetupFailureReason(reason: string): reason is SetupFailureReason {
  return Object.prototype.hasOwnProperty.call(SETUP_FAILURE_EXIT_CODES, reason);
}

/** Why the runner stopped the processes, when it did (pod deletion). */
export interface StopInfo {
  gracePeriodSeconds: number;
  /** SIGKILL was needed. */
  killed: boolean;
}

/**
 * The run's memory limit was enforced by a kill: the kernel's OOM killer in
 * its cgroup, or the runner's watchdog. It counts only when the run ended
 * by SIGKILL (exit code 137), as Kubernetes reports OOMKilled.
 */
export interface OomKill {
  message: string;
}

/** How a run of a container ended, as far as the runner can tell. */
export type RunOutcome =
  | { kind: 'setupFailed'; reason: SetupFailureReason; message: string }
  /**
   * The wrapper recorded this status of the main process. sh folds a death
   * by signal N into 128+N, so a code above 128 does not tell a signal from
   * a program that exited with that code: it is reported as a plain exit
   * code, as Kubernetes reports 137 (no signal is claimed).
   */
  | {
      kind: 'exited';
      exitCode: number;
      stderr: { sizeBytes: number } | { error: string };
      stop?: StopInfo | undefined;
      oom?: OomKill | undefined;
    }
  /** The wrapper itself was killed by this signal (its real wait status), so the main process's code is unknown. */
  | { kind: 'signaled'; signal: number; stop?: StopInfo | undefined; oom?: OomKill | undefined }
  /** Every process is gone and no exit code was recorded (ended while the runner was down). */
  | { kind: 'vanished'; detail: string; stop?: StopInfo | undefined; oom?: OomKill | undefined };

export interface TerminatedInfo {
  exitCode: number;
  signal: number;
  reason: string;
  message: string;
}

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num as number, name]),
);

function signalName(signal: number): string {
  return SIGNAL_NAMES.get(signal) ?? `signal ${signal}`;
}

function stopMessage(stop: StopInfo | undefined): string {
  if (!stop) return '';
  if (stop.killed) return `killed after ${stop.gracePeriodSeconds} s grace period`;
  return `stopped by pod deletion within the ${stop.gracePeriodSeconds} s grace period`;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('; ');
}

/**
 * The terminated state of a run: the container state table of the original
 * plus signal deaths and deletions. Pure; this is the one place reasons and
 * exit codes are decided.
 */
export function terminatedFor(outcome: RunOutcome, policy: StderrPolicy): TerminatedInfo {
  if (outcome.kind !== 'setupFailed' && outcome.oom && endedByKill(outcome)) {
    return {
      exitCode: 137,
      signal: outcome.kind === 'signaled' ? outcome.signal : 0,
      reason: 'OOMKilled',
      message: outcome.oom.message,
    };
  }
  switch (outcome.kind) {
    case 'setupFailed':
      return {
        exitCode: SETUP_FAILURE_EXIT_CODES[outcome.reason],
        signal: 0,
        reason: outcome.reason,
        message: `${outcome.reason}: ${outcome.message}`,
      };
    case 'signaled':
      return {
        exitCode: 128 + outcome.signal,
        signal: outcome.signal,
        reason: 'Error',
        message: outcome.stop?.killed
          ? stopMessage(outcome.stop)
          : join(`killed by ${signalName(outcome.signal)}`, stopMessage(outcome.stop)),
      };
    case 'vanished':
      return {
        exitCode: 137,
        signal: 0,
        reason: 'Error',
        message: join(outcome.detail, stopMessage(outcome.stop)),
      };
    case 'exited': {
      const code = outcome.exitCode;
      if (code === 0) {
        if ('error' in outcome.stderr) {
          return {
            exitCode: 2,
            signal: 0,
            reason: 'getStderrFileInfoError',
            message: `getStderrFileInfoError: cannot read the stderr file: ${outcome.stderr.error}`,
          };
        }
        if (policy === 'fail' && outcome.stderr.sizeBytes > 0) {
          return {
            exitCode: 3,
            signal: 0,
            reason: 'stderrNotEmpty',
            message: 'The stderr file is not empty.',
          };
        }
        return { exitCode: 0, signal: 0, reason: 'Completed', message: stopMessage(outcome.stop) };
      }
      return { exitCode: code, signal: 0, reason: 'Error', message: stopMessage(outcome.stop) };
    }
  }
}

/** Why a run ended with exit code 137: nothing of it was left, and it recorded no status. */
export const VANISHED_DETAIL =
  'the processes ended while the runner was not watching and left no exit code (killed by SIGKILL?)';

/** The main process (or the wrapper) died of SIGKILL, or nothing was recorded. */
function endedByKill(outcome: Exclude<RunOutcome, { kind: 'setupFailed' }>): boolean {
  if (outcome.kind === 'exited') return outcome.exitCode === 128 + constants.signals.SIGKILL;
  if (outcome.kind === 'signaled') return outcome.signal === constants.signals.SIGKILL;
  return true;
}

/**
 * How a run ended, from how its group ended. The wrapper's own wait status
 * when it was our child; else (re-adopted) the exit code it recorded, or a
 * SIGKILL the deletion sent, or nothing known. Pure apart from the two reads.
 */
export function outcomeOfGroupEnd(
  end: GroupEnd,
  stop: StopInfo | undefined,
  read: { exitCodeFile: () => number | undefined; stderr: () => { sizeBytes: number } | { error: string } },
  joinedCgroup = false,
): RunOutcome {
  if (end.scanError) {
    return {
      kind: 'setupFailed',
      reason: 'getPidsError',
      message: `Error getting pids: ${end.scanError.message}`,
    };
  }
  const leader = end.leaderExit;
  if (joinedCgroup && leader?.code === CGROUP_JOIN_FAILED_EXIT_CODE && read.exitCodeFile() === undefined) {
    return {
      kind: 'setupFailed',
      reason: 'cmdStartError',
      message: "the wrapper could not join the container's cgroup (see the stderr file); nothing was run",
    };
  }
  if (leader?.code !== null && leader?.code !== undefined) {
    return { kind: 'exited', exitCode: leader.code, stderr: read.stderr(), stop };
  }
  if (leader?.signal) return { kind: 'signaled', signal: constants.signals[leader.signal], stop };
  if (leader) {
    return {
      kind: 'setupFailed',
      reason: 'cmdWaitError',
      message: 'the wrapper process ended without an exit code or a signal',
    };
  }
  const code = read.exitCodeFile();
  if (code !== undefined) return { kind: 'exited', exitCode: code, stderr: read.stderr(), stop };
  if (stop?.killed) return { kind: 'signaled', signal: constants.signals.SIGKILL, stop };
  return { kind: 'vanished', detail: VANISHED_DETAIL, stop };
}
