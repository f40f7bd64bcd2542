import { closeSync, fchmodSync, fchownSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DirHandle } from './dir-handle.js';

/** Longest file name component Linux file systems accept. */
export const MAX_COMPONENT_BYTES = 255;
/** PATH_MAX minus the terminator. */
export const MAX_PATH_BYTES = 4095;

/** A path in a pod spec that cannot be used; `field` names where it came from. */
export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/**
 * Normalises a user-supplied path to a relative POSIX path of components.
 * Absolute paths are re-rooted when `reroot` is set, refused otherwise. Refuses
 * NUL bytes, `..` anywhere, and over-long components. Pure; throws
 * UnsafePathError. The empty result means "the base directory itself".
 */
export function normalizeUserPath(value: string, field: string, options: { reroot: boolean }): string {
  if (value.includes('\0')) throw new UnsafePathError(field, `${quote(value)} contains a NUL byte`);
  if (value.startsWith('/') && !options.reroot) {
    throw new UnsafePathError(field, `${quote(value)} must be a relative path`);
  }
  const parts: string[] = [];
  for (const part of value.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      throw new UnsafePathError(
        field,
        `${quote(value)} contains ".."; paths must stay inside the container directory`,
      );
    }
    if (Buffer.byteLength(part) > MAX_COMPONENT_BYTES) {
      throw new UnsafePathError(
        field,
        `${quote(value)} has a component longer than ${MAX_COMPONENT_BYTES} bytes`,
      );
    }
    parts.push(part);
  }
  return parts.join('/');
}

/** Joins normalised relative paths; empty parts are skipped. */
export function joinRelative(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** Refuses a relative path that would be too long once placed under `baseDir`. */
export function checkPathLength(baseDir: string, relative: string, field: string): void {
  const full = relative === '' ? baseDir : `${baseDir}/${relative}`;
  if (Buffer.byteLength(full) > MAX_PATH_BYTES) {
    throw new UnsafePathError(field, `the resulting path is longer than ${MAX_PATH_BYTES} bytes`);
  }
}

/**
 * Writes inside one directory tree without following symlinks: every
 * directory is created or opened through the DirHandle of its parent with
 * O_NOFOLLOW (a symlink or non-directory is refused), and files are created
 * through their directory's handle with O_EXCL|O_NOFOLLOW, so nothing planted
 * in the tree, before or during the writes, can redirect a write outside it.
 * Paths are relative to the root. Blocking (sync IO). Given a path, the root
 * is opened by it (trusted as given); given a handle, the caller keeps owning
 * it. close() releases the handles this writer opened.
 */
export class SafeWriter {
  /** Handles of the directories this writer created or checked, by relative path ('' is the root). */
  private readonly dirs = new Map<string, DirHandle>();
  private readonly ownsRoot: boolean;

  constructor(root: string | DirHandle) {
    this.ownsRoot = typeof root === 'string';
    this.dirs.set('', typeof root === 'string' ? DirHandle.openAnchor(root) : root);
  }

  get root(): string {
    return this.dirs.get('')!.path;
  }

  /** Creates `relative` and its parents with `mode`; an existing real directory is fine. Returns its handle. */
  mkdirs(relative: string, mode = 0o755): DirHandle {
    let current = '';
    let handle = this.dirs.get('')!;
    for (const part of relative.split('/').filter((p) => p !== '')) {
      current = joinRelative(current, part);
      const known = this.dirs.get(current);
      if (known) {
        handle = known;
        continue;
      }
      handle = handle.makeDir(part, mode);
      this.dirs.set(current, handle);
    }
    return handle;
  }

  private parentOf(relative: string): { dir: DirHandle; name: string } {
    const parent = path.posix.dirname(relative);
    return { dir: this.mkdirs(parent === '.' ? '' : parent), name: path.posix.basename(relative) };
  }

  /** Creates a new file (never overwrites, never follows a symlink) with exactly `mode`, given to `owner` if set. */
  writeFile(relative: string, data: Uint8Array, mode: number, owner?: { uid: number; gid: number }): void {
    const { dir, name } = this.parentOf(relative);
    const fd = dir.createFile(name, mode);
    try {
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      // Before the chmod: chown clears setuid and setgid bits.
      if (owner) fchownSync(fd, owner.uid, owner.gid);
      // The umask may have cleared bits the spec asked for.
      fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
  }

  /** Creates a symlink at `relative` pointing at `target` (kept as given, typically relative). */
  symlink(relative: string, target: string): void {
    const { dir, name } = this.parentOf(relative);
    dir.symlink(name, target);
  }

  /** Closes the handles this writer opened (not a root handle it was given). */
  close(): void {
    for (const [rel, handle] of this.dirs) if (rel !== '' || this.ownsRoot) handle.close();
    this.dirs.clear();
  }
}
