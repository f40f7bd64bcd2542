import { readdirSync } from 'node:fs';
import { readdir, rmdir, unlink } from 'node:fs/promises';
import { errnoCode } from '../../common/errors.js';
import { RefusedPathError, type DirHandle } from './dir-handle.js';

function ignoreMissing(err: unknown): void {
  if (errnoCode(err) !== 'ENOENT') throw err;
}

/** unlink(2) of a directory fails with EISDIR on Linux (EPERM per POSIX): it became a directory. */
function isDirectoryError(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EISDIR' || code === 'EPERM';
}

/**
 * Removes entry `name` of `parent` and, if it is a directory, everything in
 * it, never following a symlink: each directory is opened with O_NOFOLLOW
 * and emptied through its own fd; symlinks and files are unlinked, never
 * followed. A missing entry is fine. Blocking; see removeTree for the
 * asynchronous one.
 */
export function removeTreeSync(parent: DirHandle, name: string, isDir?: boolean): void {
  if (isDir !== true) {
    try {
      parent.unlink(name);
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
    // Replaced by a symlink or file since readdir: remove that name, follow nothing.
    parent.unlink(name);
    return;
  }
  try {
    for (const e of readdirSync(dir.procPath, { withFileTypes: true }))
      removeTreeSync(dir, e.name, e.isDirectory());
  } finally {
    dir.close();
  }
  parent.rmdir(name);
}

/** removeTreeSync with the directory reads and removals off the event loop. */
export async function removeTree(parent: DirHandle, name: string, isDir?: boolean): Promise<void> {
  if (isDir !== true) {
    parent.verify();
    try {
      await unlink(parent.entry(name));
      return;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      if (!isDirectoryError(err)) throw err;
    }
  }
  let dir: DirHandle;
  try {
    dir = parent.openDir(name);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    if (!(err instanceof RefusedPathError)) throw err;
    parent.unlink(name);
    return;
  }
  try {
    for (const e of await readdir(dir.procPath, { withFileTypes: true })) {
      await removeTree(dir, e.name, e.isDirectory());
    }
  } finally {
    dir.close();
  }
  parent.verify();
  await rmdir(parent.entry(name)).catch(ignoreMissing);
}
