import { constants } from 'node:os';
import type { StderrPolicy } from './runner-config.js';

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

export function isSetupFailureReason(reason: string): reason is SetupFailureReason {
  return Object.prototype.hasOwnProperty.call(SETUP_FAILURE_EXIT_CODES, reason);
}

/** Why the runner stopped the processes, when it did (pod deletion). */
export interface StopInfo {
  gracePeriodSeconds: number;
  /** SIGKILL was needed. */
  killed: boolean;
}

/** How a run of a container ended, as far as the runner can tell. */
export type RunOutcome =
  | { kind: 'setupFailed'; reason: SetupFailureReason; message: string }
  /** The main process exited with this code (a signal death shows as 128+N, as sh reports it). */
  | {
      kind: 'exited';
      exitCode: number;
      stderr: { sizeBytes: number } | { error: string };
      stop?: StopInfo | undefined;
    }
  /** The wrapper itself was killed by this signal, so the main process's code is unknown. */
  | { kind: 'signaled'; signal: number; stop?: StopInfo | undefined }
  /** Every process is gone and no exit code was recorded (ended while the runner was down). */
  | { kind: 'vanished'; detail: string; stop?: StopInfo | undefined };

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
      if (code > 128 && code <= 128 + 64) {
        const signal = code - 128;
        return {
          exitCode: code,
          signal,
          reason: 'Error',
          message: join(`the main process was killed by ${signalName(signal)}`, stopMessage(outcome.stop)),
        };
      }
      return { exitCode: code, signal: 0, reason: 'Error', message: stopMessage(outcome.stop) };
    }
  }
}

/** True when a terminated run counts as a success (no restart under OnFailure, next init container may start). */
export function isSuccess(t: Pick<TerminatedInfo, 'exitCode'>): boolean {
  return t.exitCode === 0;
}
