import { readdirSync } from 'node:fs';
import { errnoCode } from '../../common/errors.js';
import { RefusedPathError, type DirHandle } from './dir-handle.js';

/**
 * Steps removeTree takes in one event-loop turn before it lets other work
 * run. A step is a few system calls on a handle (a verify and an unlink, a
 * directory opened and read, a verify and an rmdir), so a pod's directory of
 * a few containers goes in one turn, and a pod of 1,000 containers in about
 * 110 turns of about a millisecond each on a local disk.
 */
export const REMOVE_STEPS_PER_TURN = 64;

/** unlink(2) of a directory fails with EISDIR on Linux (EPERM per POSIX): it became a directory. */
function isDirectoryError(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EISDIR' || code === 'EPERM';
}

/**
 * The removal of entry `name` of `parent`, as steps: each `yield` follows a
 * step, so a driver can pause between any two. Never follows a
 * symlink: each directory is opened with O_NOFOLLOW and emptied through its
 * own fd; symlinks and files are unlinked, never followed. A missing entry is
 * fine. `isDir` skips the first unlink when the caller knows a directory is
 * there (an unlink that fails builds an error and its stack).
 */
function* removalSteps(parent: DirHandle, name: string, isDir?: boolean): Generator<void, void, void> {
  if (isDir !== true) {
    try {
      parent.unlink(name);
      yield;
      return;
    } catch (err) {
      if (!isDirectoryError(err)) throw err;
    }
  }
  let dir: DirHandle;
  try {
    dir = parent.openDir(name);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    if (!(err instanceof RefusedPathError)) throw err;
    // Replaced by a symlink or file since it was listed: remove that name, follow nothing.
    parent.unlink(name);
    return;
  }
  try {
    const entries = readdirSync(dir.procPath, { withFileTypes: true });
    yield;
    for (const e of entries) yield* removalSteps(dir, e.name, e.isDirectory());
  } finally {
    dir.close();
  }
  parent.rmdir(name);
  yield;
}

/** Removes entry `name` of `parent` and everything under it (see removalSteps). Blocking. */
export function removeTreeSync(parent: DirHandle, name: string, isDir?: boolean): void {
  const steps = removalSteps(parent, name, isDir);
  while (steps.next().done !== true);
}

/**
 * removeTreeSync in slices of `stepsPerTurn` steps, with a setImmediate
 * between slices so a large tree does not hold up the event loop. The
 * system calls themselves are made on the event loop: handing each to the
 * thread pool (fs/promises) cost a thread round trip and two wake-ups per
 * call, about ten per pod (decision 0015).
 */
export async function removeTree(
  parent: DirHandle,
  name: string,
  isDir?: boolean,
  stepsPerTurn = REMOVE_STEPS_PER_TURN,
): Promise<void> {
  const steps = removalSteps(parent, name, isDir);
  let left = stepsPerTurn;
  while (steps.next().done !== true) {
    if (--left > 0) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    left = stepsPerTurn;
  }
}
