import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../../common/errors.js';

/*
 * Node.js has no openat(), mkdirat(), renameat(), unlinkat() or symlinkat().
 * Linux gives the same effect through procfs: `/proc/self/fd/<fd>` is a
 * "magic link" that the kernel resolves to the open directory itself, not by
 * walking the path it was opened by again, so `/proc/self/fd/<fd>/<name>`
 * names <name> inside exactly the directory the fd holds, wherever that
 * directory is now and whatever now sits at its old path. The final
 * component is still resolved normally: every open adds O_NOFOLLOW, creates
 * add O_EXCL, and rename/unlink/rmdir/symlink never follow a final symlink.
 * See docs/decisions/0006-fd-relative-writes.md.
 */

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A write the runner refused because a path was not what it checked (a symlink, another directory). */
export class RefusedPathError extends Error {
  override readonly name = 'RefusedPathError';
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function effectiveUid(): number | undefined {
  return process.geteuid?.();
}

/** Refuses names that are not a single directory entry. */
function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new Error(`${JSON.stringify(name)} is not a file name`);
  }
}

/**
 * An open directory the runner verified: a real directory (no symlink in any
 * component below the directory the walk started from), held by an fd whose
 * device and inode were recorded when it was opened. Every operation on an
 * entry goes through the fd (see the header), so moving the directory or
 * replacing its path by a symlink cannot redirect it; and before each write
 * the path is looked at again (lstat, device and inode), so a directory that
 * was replaced is reported instead of written to wherever it went. Creates
 * never overwrite (O_EXCL) and never follow a symlink (O_NOFOLLOW). Blocking
 * IO except where named *Async. The owner closes it (close() is idempotent).
 * Linux only (procfs).
 */
export class DirHandle {
  private closed = false;

  private constructor(
    /** The path the directory was verified at (for messages and the re-check before writes). */
    readonly path: string,
    readonly fd: number,
    private readonly id: BigIntStats,
    /** The start of a walk: its path may hold symlinks (the user's --root-dir), so it is re-checked with stat. */
    private readonly anchor: boolean,
  ) {}

  /** Opens a directory the runner trusts by its path (symlinks in it are followed), e.g. --root-dir. */
  static openAnchor(dir: string): DirHandle {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    return new DirHandle(dir, fd, fstatSync(fd, { bigint: true }), true);
  }

  /**
   * Opens `relative` (a path of plain names) below the trusted directory
   * `anchor`, one component at a time through the fd of the one before, none
   * of them a symlink. Throws RefusedPathError naming the component that is
   * a symlink or not a directory, or the system error.
   */
  static openBeneath(anchor: string, relative: string): DirHandle {
    let current = DirHandle.openAnchor(anchor);
    for (const part of relative.split('/').filter((p) => p !== '' && p !== '.')) {
      try {
        const next = current.openDir(part);
        current.close();
        current = next;
      } catch (err) {
        current.close();
        throw err;
      }
    }
    return current;
  }

  /** The name of an entry of this directory, resolved through the fd. */
  entry(name: string): string {
    checkName(name);
    if (this.closed) throw new Error(`${this.path}: directory handle is closed`);
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** The directory itself, resolved through the fd (e.g. as a child's working directory prefix). */
  get procPath(): string {
    return `/proc/self/fd/${this.fd}`;
  }

  /** The path of an entry, for messages. */
  pathOf(name: string): string {
    return path.join(this.path, name);
  }

  /** Opens a subdirectory; a symlink or non-directory there is refused. */
  openDir(name: string): DirHandle {
    let fd: number;
    try {
      fd = openSync(this.entry(name), DIR_FLAGS);
    } catch (err) {
      throw this.explain(name, err);
    }
    return new DirHandle(this.pathOf(name), fd, fstatSync(fd, { bigint: true }), false);
  }

  /**
   * Creates a subdirectory with `mode` (an existing real directory is fine
   * unless `exclusive`) and opens it. After mkdir the entry is looked at
   * again: it must be a directory (not a symlink), the very one the fd
   * holds (lstat device and inode), and one this user owns.
   */
  makeDir(name: string, mode: number, options: { exclusive?: boolean } = {}): DirHandle {
    this.verify();
    try {
      mkdirSync(this.entry(name), { mode });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST' || options.exclusive) throw this.explain(name, err);
    }
    const child = this.openDir(name);
    try {
      const now = lstatSync(this.entry(name), { bigint: true });
      if (!sameFile(now, child.id))
        throw new RefusedPathError(`${child.path} was replaced while it was created`);
      const uid = effectiveUid();
      if (uid !== undefined && Number(child.id.uid) !== uid) {
        throw new RefusedPathError(`${child.path} belongs to uid ${child.id.uid}, not to this user`);
      }
    } catch (err) {
      child.close();
      throw err;
    }
    return child;
  }

  /** Creates a new file (never overwrites, never follows a symlink) open for writing; the caller closes the fd. */
  createFile(name: string, mode: number, extraFlags = 0): number {
    this.verify();
    try {
      return openSync(this.entry(name), CREATE_FLAGS | extraFlags, mode);
    } catch (err) {
      throw this.explain(name, err);
    }
  }

  /**
   * Creates `name` afresh: a regular file already there (an earlier run's,
   * or a hard link to anything) is unlinked first, so the old inode is never
   * truncated or written; a symlink, directory or other entry is refused.
   */
  createFreshFile(name: string, mode: number, extraFlags = 0): number {
    try {
      return this.createFile(name, mode, extraFlags);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const st = this.lstat(name);
    if (st?.isSymbolicLink())
      throw new RefusedPathError(`refusing to write through symlink ${this.pathOf(name)}`);
    if (st && !st.isFile())
      throw new RefusedPathError(`${this.pathOf(name)} exists and is not a regular file`);
    this.unlink(name);
    return this.createFile(name, mode, extraFlags);
  }

  /** Renames an entry within this directory (rename(2): neither final component is followed). */
  rename(from: string, to: string): void {
    this.verify();
    renameSync(this.entry(from), this.entry(to));
  }

  /** Removes a non-directory entry (a symlink itself, never its target); false when it was not there. */
  unlink(name: string): boolean {
    this.verify();
    try {
      unlinkSync(this.entry(name));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** Removes an empty subdirectory (rmdir(2) never follows a final symlink); false when it was not there. */
  rmdir(name: string): boolean {
    this.verify();
    try {
      rmdirSync(this.entry(name));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** Creates a symlink `name` -> `target` (the target is stored as given, never resolved here). */
  symlink(name: string, target: string): void {
    this.verify();
    symlinkSync(target, this.entry(name));
  }

  /** lstat of an entry; undefined when it does not exist. */
  lstat(name: string): BigIntStats | undefined {
    try {
      return lstatSync(this.entry(name), { bigint: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Checks that the path still names the directory the fd holds (device and
   * inode). Writes go through the fd either way; this turns a directory that
   * was moved or replaced into an error naming it instead of a silent write
   * to wherever it went.
   */
  verify(): void {
    let now: BigIntStats;
    try {
      now = this.anchor ? statSync(this.path, { bigint: true }) : lstatSync(this.path, { bigint: true });
    } catch (err) {
      throw new RefusedPathError(
        `refusing to write in ${this.path}: it is gone (${errnoCode(err) ?? 'error'})`,
      );
    }
    if (!sameFile(now, this.id)) {
      throw new RefusedPathError(
        `refusing to write in ${this.path}: it was replaced after it was checked (now ${now.isSymbolicLink() ? 'a symlink' : 'another entry'})`,
      );
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** A clear error for an entry that is a symlink or not a directory; other errors pass through. */
  private explain(name: string, err: unknown): unknown {
    const code = errnoCode(err);
    if (code !== 'ENOTDIR' && code !== 'ELOOP' && code !== 'EEXIST') return err;
    let st: BigIntStats | undefined;
    try {
      st = this.lstat(name);
    } catch {
      return err;
    }
    if (st?.isSymbolicLink())
      return new RefusedPathError(`refusing to write through symlink ${this.pathOf(name)}`);
    if (code === 'EEXIST') return err;
    if (st && !st.isDirectory())
      return new RefusedPathError(`${this.pathOf(name)} exists and is not a directory`);
    return err;
  }
}

/** Runs `fn` with a handle on `relative` below `anchor`, closing it afterwards. */
export function withDirBeneath<T>(anchor: string, relative: string, fn: (dir: DirHandle) => T): T {
  const dir = DirHandle.openBeneath(anchor, relative);
  try {
    return fn(dir);
  } finally {
    dir.close();
  }
}
