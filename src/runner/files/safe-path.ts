import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';

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
 * directory component is checked with lstat (a symlink or non-directory is
 * refused), and files are created with O_EXCL|O_NOFOLLOW, so nothing planted
 * in the tree can redirect a write outside it. Paths are relative to `root`.
 * Blocking (sync IO); the caller owns `root`.
 */
export class SafeWriter {
  /** Directories this writer created or checked; they need no second look. */
  private readonly checked = new Set<string>(['']);

  constructor(readonly root: string) {}

  private abs(relative: string): string {
    return relative === '' ? this.root : path.join(this.root, relative);
  }

  /** Creates `relative` and its parents with `mode`; an existing real directory is fine. */
  mkdirs(relative: string, mode = 0o755): void {
    let current = '';
    for (const part of relative.split('/').filter((p) => p !== '')) {
      current = joinRelative(current, part);
      if (this.checked.has(current)) continue;
      const full = this.abs(current);
      try {
        mkdirSync(full, { mode });
        this.checked.add(current);
        continue;
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      const st = lstatSync(full);
      if (st.isSymbolicLink()) throw new Error(`refusing to write through symlink ${full}`);
      if (!st.isDirectory()) throw new Error(`${full} exists and is not a directory`);
      this.checked.add(current);
    }
  }

  /** Creates a new file (never overwrites, never follows a symlink) with exactly `mode`. */
  writeFile(relative: string, data: Uint8Array, mode: number): void {
    this.mkdirs(path.posix.dirname(relative) === '.' ? '' : path.posix.dirname(relative));
    const fd = openSync(
      this.abs(relative),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
    try {
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      // The umask may have cleared bits the spec asked for.
      fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
  }

  /** Creates a symlink at `relative` pointing at `target` (kept as given, typically relative). */
  symlink(relative: string, target: string): void {
    this.mkdirs(path.posix.dirname(relative) === '.' ? '' : path.posix.dirname(relative));
    symlinkSync(target, this.abs(relative));
  }
}
