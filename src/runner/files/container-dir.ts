import { closeSync, constants, fchownSync, lstatSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../common/errors.js';
import {
  dirPath,
  openContainerDir,
  replaceAtomically,
  withHandle,
  type ContainerDirRef,
} from './container-dir-handle.js';
import type { DirHandle } from './dir-handle.js';
import { RUN_FILE_PREFIX } from './run-file.js';

// Opening a verified handle is part of this module's contract (see below).
export { openContainerDir, type ContainerDirRef } from './container-dir-handle.js';

/*
 * The container directory's file protocol. This module is the only one that
 * names, writes or parses the files the runner and the wrapper keep in a
 * container directory (`<pod dir>/containers/<container>/`); everyone else
 * goes through the functions below and those of its siblings: run-file.ts
 * (the run files), wrapper-sh.ts (the wrapper's steps and fds) and
 * container-dir-handle.ts (verified handles). The contract:
 *
 * - `pgid`: the process group id of the current run, in decimal with a
 *   newline. Written by the runner (`.pgid.tmp`, then rename; never through a
 *   symlink) after the group leader started and before the run is reported
 *   running, so a runner that dies in between finds the group.
 * - `exitcode`: the main process's status as sh reports it, in decimal with a
 *   newline. Written by the wrapper when the main process ends into
 *   `.exitcode.tmp` (which the runner created empty for it), then renamed
 *   (mv -T); removed by the runner before each run starts, so a file
 *   present means "this run ended with that code".
 * - `stdout`, `stderr`: the current run's output, created afresh by the
 *   runner (an old file is unlinked, never truncated) with
 *   O_APPEND|O_EXCL|O_NOFOLLOW, mode 0644, and inherited as the processes'
 *   fds (never pipes).
 * - `stdout.previous`, `stderr.previous`: the previous run's output, moved
 *   there when a run ends and is going to be restarted.
 * - `.stdout.index`, `.stderr.index`, `.stdout.previous.index`,
 *   `.stderr.previous.index`: the logs' time indexes (JSON text, see
 *   LogTimeIndex), written tmp + rename and moved with their logs.
 * - `.run-<token>`: the run file of the run started with that launch token
 *   (random per run, in the group's VK_CMD_LAUNCH_TOKEN). Created
 *   exclusively (O_EXCL) by the wrapper, through fd 3, before it runs the
 *   user's argv, holding the wrapper's pid (= the group's pgid) and a
 *   newline, so "it exists" means "this run began"; the wrapper appends the
 *   main process's status (decimal, newline) as the second line when it
 *   ends, before it writes `exitcode`. A runner that finds no run file for a
 *   start it asked for creates it first, exclusively and through a
 *   DirHandle, holding `claimed`: then that run can never begin (its
 *   wrapper's exclusive create fails and it exits without running
 *   anything), so starting again cannot run the command twice. Claimed
 *   files stay until the pod directory goes; the runner removes a run's
 *   file when the next run of the container starts.
 *
 * - `stdin`, `.tty-control`, `.stdin-holder`, `.stdin-closed`: the FIFOs
 *   and files of containers with stdin or tty (INTERACTIVE_ENTRIES; their
 *   protocol is in container-stdin.ts).
 *
 * No volume may write any of these names (RESERVED_CONTAINER_ENTRIES).
 *
 * How they are written: every write goes through a DirHandle on the
 * container directory (openContainerDir), opened from the runner's root
 * directory one component at a time with no symlink anywhere below it, so a
 * container that swaps its own or a sibling's directory for a symlink cannot
 * make the runner write outside the pod. Files are created afresh
 * (O_EXCL|O_NOFOLLOW; an old regular file is unlinked first, never truncated
 * through a link). The wrapper gets the directory as fd 3 and the exitcode
 * tmp file, created by the runner, as fd 4; it writes the code into fd 4 and
 * renames through `/proc/self/fd/3` (WRAPPER_DIR_ARG, WRITE_EXIT_CODE_SH),
 * and the user's command inherits neither (CLOSE_WRAPPER_FDS_SH). Reads
 * still go by path. Every function here is blocking IO; those taking a
 * `ContainerDirRef` open (and close) a handle when given a path.
 */

const PGID_FILE = 'pgid';
const PGID_TMP_FILE = '.pgid.tmp';
/** The exitcode file, and the tmp file the wrapper writes it into (wrapper-sh.ts). */
export const EXIT_CODE_FILE = 'exitcode';
export const EXIT_CODE_TMP_FILE = '.exitcode.tmp';
/** The variable that carries a run's launch token into its process group. */
export const LAUNCH_TOKEN_VAR = 'VK_CMD_LAUNCH_TOKEN';

/** The entries of containers with stdin or tty; container-stdin.ts reads and writes them. */
export const INTERACTIVE_ENTRIES = {
  /** FIFO: the container's stdin (created by the wrapper or the PTY helper, mode 0600). */
  stdin: 'stdin',
  /** FIFO: `resize COLS ROWS` and `eof` lines for the PTY helper of a tty container. */
  ttyControl: '.tty-control',
  /** The pid of the process holding the stdin FIFO open for writing (no tty), written by the wrapper. */
  stdinHolder: '.stdin-holder',
  /** The pgid of the run whose stdin was closed for good (stdinOnce), written by the runner. */
  stdinClosed: '.stdin-closed',
} as const;

/** The two output streams of a run; each is a file of that name. */
export type LogName = 'stdout' | 'stderr';
export const LOG_NAMES: readonly LogName[] = ['stdout', 'stderr'];

function logName(name: LogName, previous: boolean): string {
  return previous ? `${name}.previous` : name;
}

function indexName(name: LogName, previous: boolean): string {
  return `.${logName(name, previous)}.index`;
}

/** Names in a container directory that belong to the runner; no volume may write there. */
export const RESERVED_CONTAINER_ENTRIES: ReadonlySet<string> = new Set([
  PGID_FILE,
  ...LOG_NAMES,
  EXIT_CODE_FILE,
  ...LOG_NAMES.map((n) => logName(n, true)),
  PGID_TMP_FILE,
  EXIT_CODE_TMP_FILE,
  ...LOG_NAMES.map((n) => indexName(n, false)),
  ...LOG_NAMES.map((n) => indexName(n, true)),
  ...Object.values(INTERACTIVE_ENTRIES),
]);

/** True for a name no volume may write: a runner file or a run file (`.run-*`). */
export function isReservedContainerEntry(name: string): boolean {
  return RESERVED_CONTAINER_ENTRIES.has(name) || name.startsWith(RUN_FILE_PREFIX);
}

const LOG_FILE_NAMES: ReadonlySet<string> = new Set([
  ...LOG_NAMES,
  ...LOG_NAMES.map((n) => logName(n, true)),
]);

/** Relative directory of a container inside its pod directory. */
export function containerRelDir(containerName: string): string {
  return `containers/${containerName}`;
}

/** A run's log file (`previous`: the run before it). */
export function logFile(dir: string, name: LogName, previous: boolean): string {
  return path.join(dir, logName(name, previous));
}

/** The time index file of a log file. */
export function indexFile(dir: string, name: LogName, previous: boolean): string {
  return path.join(dir, indexName(name, previous));
}

/** The pgid file's path (for messages). */
export function pgidFile(dir: string): string {
  return path.join(dir, PGID_FILE);
}

/** True for an entry name (e.g. from fs.watch) that is the exitcode file. */
export function isExitCodeFile(name: string | undefined): boolean {
  return name === EXIT_CODE_FILE;
}

/** True for an entry name that is a current run's log file. */
export function isLogName(name: string | undefined): name is LogName {
  return name === 'stdout' || name === 'stderr';
}

/** True for an entry name that is a log file of the current or the previous run (not an index). */
export function isLogFileName(name: string): boolean {
  return LOG_FILE_NAMES.has(name);
}

// ---------------------------------------------------------------- writes ---

/** Removes the exitcode file of an earlier run; a missing file is fine, other errors are thrown. */
export function removeExitCodeFile(dir: ContainerDirRef): void {
  withHandle(dir, (h) => h.unlink(EXIT_CODE_FILE));
}

/**
 * Creates the exitcode tmp file afresh for the wrapper (its fd 4) and opens
 * it for writing; the caller closes the fd once the wrapper holds it. Throws.
 */
export function openExitCodeTarget(dir: DirHandle): number {
  return dir.createFreshFile(EXIT_CODE_TMP_FILE, 0o644);
}

/**
 * Creates a run's log file afresh and opens it for appending, given to
 * `owner` (fchown on the new fd) when the run's program runs as another
 * user; the caller closes the fd. Throws.
 */
export function openRunLog(
  dir: ContainerDirRef,
  name: LogName,
  owner?: { uid: number; gid: number },
): number {
  return withHandle(dir, (h) => {
    const fd = h.createFreshFile(logName(name, false), 0o644, constants.O_APPEND);
    if (owner) {
      try {
        fchownSync(fd, owner.uid, owner.gid);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    }
    return fd;
  });
}

/** Writes the pgid file (tmp + rename, never through a symlink). Throws. */
export function writePgidFile(dir: ContainerDirRef, pgid: number): void {
  withHandle(dir, (h) => {
    // A leftover tmp file is replaced; a symlink planted there is refused.
    replaceAtomically(h, PGID_TMP_FILE, PGID_FILE, `${pgid}\n`);
  });
}

/**
 * Moves the current run's logs and their indexes to `*.previous` (before a
 * restart). Where a file is missing, the old `*.previous` one is removed,
 * so an older run's file never passes for this run's. Returns the moves
 * that failed otherwise.
 */
export function moveRunToPrevious(dir: ContainerDirRef): Array<{ file: string; err: unknown }> {
  const failed: Array<{ file: string; err: unknown }> = [];
  let handle: DirHandle;
  try {
    handle = typeof dir === 'string' ? openContainerDir(dir) : dir;
  } catch (err) {
    return [{ file: dirPath(dir), err }];
  }
  try {
    for (const name of LOG_NAMES) {
      for (const [from, to] of [
        [logName(name, false), logName(name, true)],
        [indexName(name, false), indexName(name, true)],
      ] as const) {
        try {
          if (handle.lstat(from) === undefined) handle.unlink(to);
          else handle.rename(from, to);
        } catch (err) {
          failed.push({ file: handle.pathOf(from), err });
        }
      }
    }
  } finally {
    if (handle !== dir) handle.close();
  }
  return failed;
}

/** Writes the current run's time index of a log (tmp + rename). Throws. */
export function writeIndexText(dir: ContainerDirRef, name: LogName, text: string): void {
  withHandle(dir, (h) => replaceAtomically(h, `${indexName(name, false)}.tmp`, indexName(name, false), text));
}

// ----------------------------------------------------------------- reads ---

/** The text of a log's time index; undefined when absent or unreadable. */
export function readIndexText(dir: string, name: LogName, previous: boolean): string | undefined {
  try {
    return readFileSync(indexFile(dir, name, previous), 'utf8');
  } catch {
    return undefined;
  }
}

/** The status the wrapper recorded; undefined when the file is absent, unreadable or not a number. */
export function readExitCodeFile(dir: string): number | undefined {
  try {
    const text = readFileSync(path.join(dir, EXIT_CODE_FILE), 'utf8').trim();
    if (!/^\d+$/.test(text)) return undefined;
    return Number(text);
  } catch {
    return undefined;
  }
}

/** The group the pgid file names and when it was written; undefined when absent, unreadable or not a group. */
export function readPgidFile(dir: string): { pgid: number; mtimeMs: number } | undefined {
  try {
    const file = pgidFile(dir);
    const pgid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return pgid > 1 ? { pgid, mtimeMs: statSync(file).mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** The size of the current run's stderr file, or why it cannot be known. */
export function stderrFileInfo(dir: string): { sizeBytes: number } | { error: string } {
  try {
    // lstat: a symlink planted by the container does not report another file's size.
    return { sizeBytes: lstatSync(logFile(dir, 'stderr', false)).size };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
