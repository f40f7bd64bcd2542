import { closeSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DirHandle } from './dir-handle.js';

/*
 * Handles on container directories (see container-dir.ts for the files they
 * hold): every write there goes through one, opened without following a
 * symlink below the runner's root.
 */

/** How deep a container directory is below the runner's root: `<namespace>/<pod>/containers/<container>`. */
const CONTAINER_DIR_DEPTH = 4;

/** A container directory: its path (a handle is opened for the call) or a handle the caller holds. */
export type ContainerDirRef = string | DirHandle;

/**
 * Opens a verified handle on a container directory: the directory four
 * levels up (the runner's root, trusted as configured) is opened by path,
 * then `<namespace>/<pod>/containers/<container>` one component at a time
 * with O_NOFOLLOW. Throws RefusedPathError naming a symlink on the way.
 * The caller closes it.
 */
export function openContainerDir(dir: string): DirHandle {
  const parts = path
    .resolve(dir)
    .split('/')
    .filter((p) => p !== '');
  const below = parts.slice(-CONTAINER_DIR_DEPTH);
  const anchor = `/${parts.slice(0, parts.length - below.length).join('/')}`;
  return DirHandle.openBeneath(anchor, below.join('/'));
}

/** Runs `fn` on the ref's handle, opening (and closing) one when given a path. */
export function withHandle<T>(dir: ContainerDirRef, fn: (handle: DirHandle) => T): T {
  if (typeof dir !== 'string') return fn(dir);
  const handle = openContainerDir(dir);
  try {
    return fn(handle);
  } finally {
    handle.close();
  }
}

/** The directory's path, for messages. */
export function dirPath(dir: ContainerDirRef): string {
  return typeof dir === 'string' ? dir : dir.path;
}

/** Writes `text` to a fresh tmp file and renames it over `name`, all through the handle. */
export function replaceAtomically(handle: DirHandle, tmpName: string, name: string, text: string): void {
  const fd = handle.createFreshFile(tmpName, 0o644);
  try {
    const data = Buffer.from(text);
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  } finally {
    closeSync(fd);
  }
  handle.rename(tmpName, name);
}
