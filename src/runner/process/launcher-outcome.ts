import { constants } from 'node:os';
import type { LauncherReply } from './launcher-protocol.js';

/*
 * Pure decisions about the launcher: what a failed start means for the
 * container (the same reasons as when the runner spawned it itself), and
 * when a launcher that died is started again.
 */

/** The failure reasons a start through the launcher can end with (a subset of LaunchFailureReason). */
export type LauncherFailureReason =
  'cmdStartError' | 'createStdoutFileError' | 'createStderrFileError' | 'getPgidError';

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOEXEC: 'exec format error',
  E2BIG: 'argument list too long',
  ENOMEM: 'cannot allocate memory',
  EAGAIN: 'resource temporarily unavailable',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  EPERM: 'operation not permitted',
};

// The first name of each number (EAGAIN before its alias EWOULDBLOCK).
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);

/** `ENOENT (no such file or directory)` for an errno number. */
export function errnoText(errno: number): string {
  const name = ERRNO_NAMES.get(errno);
  if (name === undefined) return `errno ${errno}`;
  const text = ERRNO_TEXT[name];
  return text === undefined ? name : `${name} (${text})`;
}

/** What a start's failure reply means: the reason and message the container is terminated with. */
export function launchFailureOf(
  reply: Extract<LauncherReply, { kind: 'err' }>,
  cwd: string | undefined,
  file: string,
): { reason: LauncherFailureReason; message: string } {
  const why = errnoText(reply.errno);
  switch (reply.step) {
    case 'open':
      if (reply.childFd === 1)
        return { reason: 'createStdoutFileError', message: `failed to create stdout file: ${why}` };
      if (reply.childFd === 2)
        return { reason: 'createStderrFileError', message: `failed to create stderr file: ${why}` };
      return {
        reason: 'cmdStartError',
        message: `cannot open fd ${reply.childFd ?? '?'} of the run: ${why}`,
      };
    case 'chdir':
      return {
        reason: 'cmdStartError',
        message: `chdir ${cwd ?? '?'}: ${why}; check the container's workingDir`,
      };
    case 'exec':
      return { reason: 'cmdStartError', message: `exec ${file}: ${why}; check the container's command` };
    default:
      return {
        reason: 'cmdStartError',
        message: `the launcher could not start the run (${reply.step}): ${why}`,
      };
  }
}

/**
 * A started group as the runner accepts it: the leader must lead its own
 * group (setsid), else the group cannot be tracked (getPgidError, as when
 * the runner read the leader's stat itself).
 */
export function startedGroupOf(
  reply: Extract<LauncherReply, { kind: 'ok' }>,
):
  | { ok: true; pgid: number; leaderStartTicks: number }
  | { ok: false; reason: 'getPgidError'; message: string } {
  if (reply.pgrp !== reply.pid || reply.pid <= 0) {
    return { ok: false, reason: 'getPgidError', message: `failed to get pgid of process ${reply.pid}` };
  }
  return { ok: true, pgid: reply.pid, leaderStartTicks: reply.startTicks };
}

/** Crashes counted within this window decide how soon the launcher is started again. */
export const CRASH_WINDOW_MS = 60_000;
/** A launcher that keeps dying is started again at most this often; starts use Node's spawn meanwhile. */
export const CRASH_LOOP_DELAY_MS = 10_000;
/** Crashes within the window before the delay applies. */
export const CRASHES_BEFORE_DELAY = 3;

/**
 * When to start the launcher again after it died at `nowMs`, given the
 * times of its earlier deaths: at once, unless it died CRASHES_BEFORE_DELAY
 * times within CRASH_WINDOW_MS (then after CRASH_LOOP_DELAY_MS). Returns
 * the delay and the crash times to remember.
 */
export function launcherRestartDelay(
  earlierCrashesMs: readonly number[],
  nowMs: number,
): { delayMs: number; crashesMs: number[] } {
  const crashesMs = [...earlierCrashesMs.filter((t) => nowMs - t < CRASH_WINDOW_MS), nowMs];
  return { delayMs: crashesMs.length >= CRASHES_BEFORE_DELAY ? CRASH_LOOP_DELAY_MS : 0, crashesMs };
}
