import { closeSync, readFileSync, statSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../../common/errors.js';
import { openContainerDir, withHandle, type ContainerDirRef } from './container-dir-handle.js';
import type { DirHandle } from './dir-handle.js';

/*
 * Run files (`.run-<token>`, contract in container-dir.ts): created by the
 * wrapper when a run begins, or claimed by a runner so that run never begins.
 */

/** The prefix of run file names; the launch token follows. */
export const RUN_FILE_PREFIX = '.run-';
const CLAIMED = 'claimed';

function runFileName(token: string): string {
  return `${RUN_FILE_PREFIX}${token}`;
}

/**
 * Creates the run file of `token` holding `claimed`, exclusively, through a
 * handle on the container directory (never through a symlink). True when
 * this call created it (that run can no longer begin) or the directory is
 * gone (nothing can begin there either); false when it exists (the run began,
 * or was claimed before). Other errors are thrown.
 */
export function claimRunFile(dir: ContainerDirRef, token: string): boolean {
  let handle: DirHandle;
  try {
    handle = typeof dir === 'string' ? openContainerDir(dir) : dir;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return true;
    throw err;
  }
  try {
    let fd: number;
    try {
      fd = handle.createFile(runFileName(token), 0o644);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT') return true;
      throw err;
    }
    try {
      writeSync(fd, `${CLAIMED}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    if (handle !== dir) handle.close();
  }
}

/** Removes a run's file (the next run starts); a missing file or directory is fine, other errors are thrown. */
export function removeRunFile(dir: ContainerDirRef, token: string): void {
  try {
    withHandle(dir, (h) => h.unlink(runFileName(token)));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** What the run file of a launch token says. */
export type RunFileState =
  | { state: 'absent' }
  | { state: 'claimed' }
  /** The wrapper began the run (`pgid`: its pid, 0 if not written yet); no status recorded (yet). */
  | { state: 'began'; pgid: number; beganAtMs: number }
  | { state: 'exited'; exitCode: number; beganAtMs: number; endedAtMs: number };

/** Parses a run file's text (see the contract above). Pure; anything else counts as begun. */
export function parseRunFile(text: string, beganAtMs: number, endedAtMs: number): RunFileState {
  const lines = text.split('\n').map((l) => l.trim());
  if (lines[0] === CLAIMED) return { state: 'claimed' };
  const number = (line: string | undefined): number | undefined =>
    line !== undefined && /^\d+$/.test(line) ? Number(line) : undefined;
  const code = number(lines[1]);
  if (code !== undefined) return { state: 'exited', exitCode: code, beganAtMs, endedAtMs };
  return { state: 'began', pgid: number(lines[0]) ?? 0, beganAtMs };
}

/** Reads the run file of `token`; an unreadable one counts as begun (never as absent). */
export function readRunFile(dir: string, token: string): RunFileState {
  const file = path.join(dir, runFileName(token));
  let text: string;
  let st: Stats | undefined;
  try {
    st = statSync(file);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { state: 'absent' };
    return { state: 'began', pgid: 0, beganAtMs: st ? Math.round(st.mtimeMs) : 0 };
  }
  // The file is created when the run begins and appended to when it ends.
  const began = st.birthtimeMs > 0 ? st.birthtimeMs : st.mtimeMs;
  return parseRunFile(text, Math.round(began), Math.round(st.mtimeMs));
}
