import {
  closeSync,
  constants,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  type Stats,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { errnoCode, errorMessage } from '../errors.js';

/*
 * The container directory's file protocol. This module is the only one that
 * names, writes or parses the files the runner and the wrapper keep in a
 * container directory (`<pod dir>/containers/<container>/`); everyone else
 * goes through the functions below. The contract:
 *
 * - `pgid`: the process group id of the current run, in decimal with a
 *   newline. Written by the runner (`.pgid.tmp`, then rename; never through a
 *   symlink) after the group leader started and before the run is reported
 *   running, so a runner that dies in between finds the group.
 * - `exitcode`: the main process's status as sh reports it, in decimal with a
 *   newline. Written by the wrapper (`.exitcode.tmp`, then mv) when the main
 *   process ends; removed by the runner before each run starts, so a file
 *   present means "this run ended with that code".
 * - `stdout`, `stderr`: the current run's output, created (truncated) by the
 *   runner with O_APPEND|O_NOFOLLOW, mode 0644, and inherited as the
 *   processes' fds (never pipes).
 * - `stdout.previous`, `stderr.previous`: the previous run's output, moved
 *   there when a run ends and is going to be restarted.
 * - `.stdout.index`, `.stderr.index`, `.stdout.previous.index`,
 *   `.stderr.previous.index`: the logs' time indexes (JSON text, see
 *   LogTimeIndex), written tmp + rename and moved with their logs.
 * - `.run-<token>`: the run file of the run started with that launch token
 *   (random per run, in the group's VK_CMD_LAUNCH_TOKEN). Created
 *   exclusively (O_EXCL) by the wrapper before it runs the user's argv,
 *   holding the wrapper's pid (= the group's pgid) and a newline, so "it
 *   exists" means "this run began"; the wrapper appends the main process's
 *   status (decimal, newline) as the second line when it ends, before it
 *   writes `exitcode`. A runner that finds no run file for a start it asked
 *   for creates it first, exclusively, holding `claimed`: then that run can
 *   never begin (its wrapper's exclusive create fails and it exits without
 *   running anything), so starting again cannot run the command twice.
 *   Claimed files stay until the pod directory goes; the runner removes a
 *   run's file when the next run of the container starts.
 *
 * No volume may write any of these names (RESERVED_CONTAINER_ENTRIES).
 * Every function here is blocking IO.
 */

const PGID_FILE = 'pgid';
const PGID_TMP_FILE = '.pgid.tmp';
const EXIT_CODE_FILE = 'exitcode';
const EXIT_CODE_TMP_FILE = '.exitcode.tmp';
const RUN_FILE_PREFIX = '.run-';
const CLAIMED = 'claimed';
/** The variable that carries a run's launch token into its process group. */
export const LAUNCH_TOKEN_VAR = 'VK_CMD_LAUNCH_TOKEN';

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
]);

/** True for a name no volume may write: a runner file or a run file (`.run-*`). */
export function isReservedContainerEntry(name: string): boolean {
  return RESERVED_CONTAINER_ENTRIES.has(name) || name.startsWith(RUN_FILE_PREFIX);
}

const LOG_FILE_NAMES: ReadonlySet<string> = new Set([
  ...LOG_NAMES,
  ...LOG_NAMES.map((n) => logName(n, true)),
]);

/**
 * The wrapper's last step, in sh: writes `$c` (the main process's status)
 * to the exitcode file of container directory `$d`, atomically (tmp + mv).
 * mv is looked up in the system directories, not the pod's PATH.
 */
export const WRITE_EXIT_CODE_SH = `printf '%s\\n' "$c" > "$d/${EXIT_CODE_TMP_FILE}" && PATH=/usr/bin:/bin mv -f "$d/${EXIT_CODE_TMP_FILE}" "$d/${EXIT_CODE_FILE}"`;

/**
 * The wrapper's first step, in sh: creates the run file of `$VK_CMD_LAUNCH_TOKEN`
 * in container directory `$d` exclusively (noclobber opens with O_EXCL in
 * dash and bash), holding its pid, and remembers its path in `$r`; when it
 * exists already (a runner claimed it) the wrapper exits at once, silently,
 * running nothing. printf is a regular builtin, so a failed redirection
 * does not end the shell before `|| exit 0`.
 */
export const BEGIN_RUN_SH = [
  `r="$d/${RUN_FILE_PREFIX}$${LAUNCH_TOKEN_VAR}"`,
  'set -C',
  `{ printf '%s\\n' "$$" >"$r"; } 2>/dev/null || exit 0`,
  'set +C',
].join('\n');

/** The wrapper's record of the main process's status `$c` in the run file `$r` (before the exitcode file). */
export const END_RUN_SH = `printf '%s\\n' "$c" >>"$r"`;

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
export function removeExitCodeFile(dir: string): void {
  try {
    unlinkSync(path.join(dir, EXIT_CODE_FILE));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** Creates (or truncates) a run's log file and opens it for appending; the caller closes the fd. Throws. */
export function openRunLog(dir: string, name: LogName): number {
  return openSync(
    logFile(dir, name, false),
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND | constants.O_NOFOLLOW,
    0o644,
  );
}

/** Writes the pgid file (tmp + rename, never through a symlink). Throws. */
export function writePgidFile(dir: string, pgid: number): void {
  const tmp = path.join(dir, PGID_TMP_FILE);
  const fd = openSync(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    writeSync(fd, `${pgid}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, pgidFile(dir));
}

/**
 * Moves the current run's logs and their indexes to `*.previous` (before a
 * restart). Where a file is missing, the old `*.previous` one is removed,
 * so an older run's file never passes for this run's. Returns the moves
 * that failed otherwise.
 */
export function moveRunToPrevious(dir: string): Array<{ file: string; err: unknown }> {
  const failed: Array<{ file: string; err: unknown }> = [];
  for (const name of LOG_NAMES) {
    for (const [from, to] of [
      [logFile(dir, name, false), logFile(dir, name, true)],
      [indexFile(dir, name, false), indexFile(dir, name, true)],
    ] as const) {
      try {
        renameSync(from, to);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') failed.push({ file: from, err });
        else rmSync(to, { force: true });
      }
    }
  }
  return failed;
}

/** Writes the current run's time index of a log (tmp + rename). Throws. */
export function writeIndexText(dir: string, name: LogName, text: string): void {
  const file = indexFile(dir, name, false);
  writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

function runFile(dir: string, token: string): string {
  return path.join(dir, `${RUN_FILE_PREFIX}${token}`);
}

/**
 * Creates the run file of `token` holding `claimed`, exclusively. True when
 * this call created it (that run can no longer begin) or the directory is
 * gone (nothing can begin there either); false when it exists (the run began,
 * or was claimed before). Other errors are thrown.
 */
export function claimRunFile(dir: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(
      runFile(dir, token),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
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
}

/** Removes a run's file (the next run starts); a missing file is fine, other errors are thrown. */
export function removeRunFile(dir: string, token: string): void {
  try {
    unlinkSync(runFile(dir, token));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

// ----------------------------------------------------------------- reads ---

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
  const file = runFile(dir, token);
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
    return { sizeBytes: statSync(logFile(dir, 'stderr', false)).size };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
