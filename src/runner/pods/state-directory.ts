import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { ConfigError, errnoCode } from '../../common/errors.js';

/*
 * The state directory decides what the runner runs after a restart: a pod
 * record found there is started or re-adopted as the runner's user. So only
 * that user may be able to write it, as ssh demands of ~/.ssh and
 * authorized_keys. Decisions are pure functions of what stat reports; the
 * IO around them is thin.
 */

/** What the checks need to know about one path (from stat or lstat). */
export interface PathFacts {
  path: string;
  kind: 'directory' | 'file' | 'symlink' | 'other';
  /** Owner uid. */
  uid: number;
  /** Permission bits (st_mode & 07777). */
  mode: number;
}

export function factsOf(file: string, st: Stats): PathFacts {
  const kind = st.isSymbolicLink()
    ? 'symlink'
    : st.isDirectory()
      ? 'directory'
      : st.isFile()
        ? 'file'
        : 'other';
  return { path: file, kind, uid: st.uid, mode: st.mode & 0o7777 };
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/**
 * Why the runner must not use `facts` as (part of) its state directory, or
 * undefined when it may: it must be a directory owned by `runnerUid` that
 * neither group nor others can write. The message says how to fix it.
 * `what` names it ("state directory", "state directory parent"). Pure.
 */
export function stateDirProblem(
  facts: PathFacts,
  runnerUid: number,
  what = 'state directory',
): string | undefined {
  const p = facts.path;
  if (facts.kind !== 'directory') {
    return `${what} ${p} is ${facts.kind === 'symlink' ? 'a symlink' : 'not a directory'}; remove it or choose --state-dir`;
  }
  if (facts.uid !== runnerUid) {
    return `${what} ${p} belongs to uid ${facts.uid}, not to this user (uid ${runnerUid}); remove it or choose --state-dir`;
  }
  const writers = [facts.mode & 0o020 ? 'group' : '', facts.mode & 0o002 ? 'others' : ''].filter((w) => w);
  if (writers.length > 0) {
    return `${what} ${p} is writable by ${writers.join(' and ')} (mode ${octal(facts.mode)}); run chmod 700 ${p} or choose --state-dir`;
  }
  return undefined;
}

/**
 * Why the runner must not load the state file `facts` (a pod record, the
 * deleted-pods file, the lock file), or undefined when it may: a regular
 * file owned by `runnerUid` with mode 0600, as the runner writes them. Pure.
 */
export function stateFileProblem(facts: PathFacts, runnerUid: number): string | undefined {
  if (facts.kind === 'symlink') return 'it is a symlink';
  if (facts.kind !== 'file') return 'it is not a regular file';
  if (facts.uid !== runnerUid) return `it belongs to uid ${facts.uid}, not to this user (uid ${runnerUid})`;
  if (facts.mode !== 0o600) return `it has mode ${octal(facts.mode)}, not 0600`;
  return undefined;
}

/** The runner's effective uid; undefined where the platform has none (the checks are then skipped). */
export function runnerUid(): number | undefined {
  return process.geteuid?.();
}

/**
 * Creates the state directory and its subdirectories (mode 0700) where
 * missing, then refuses (ConfigError, exit code 2) the state directory, each
 * subdirectory, and each parent this call created, when stateDirProblem
 * finds one. The state directory itself may be a symlink to a directory
 * (it is judged by what it points to); its subdirectories may not.
 */
export function prepareStateDirectory(stateDir: string, subdirs: readonly string[], uid = runnerUid()): void {
  const firstCreated = mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const refuse = (facts: PathFacts, what = 'state directory'): void => {
    const problem = uid === undefined ? undefined : stateDirProblem(facts, uid, what);
    if (problem) throw new ConfigError(problem);
  };
  // Parents created above, outermost first: mkdir -p made them, and they hold everything below.
  const parents: string[] = [];
  if (firstCreated !== undefined) {
    for (let dir = path.dirname(stateDir); dir.length >= firstCreated.length; dir = path.dirname(dir)) {
      parents.unshift(dir);
      if (dir === firstCreated || dir === path.dirname(dir)) break;
    }
  }
  for (const dir of parents) refuse(factsOf(dir, lstatSync(dir)), 'state directory parent');
  refuse(factsOf(stateDir, statSync(stateDir)));
  // Nothing is created inside a directory that was refused.
  for (const sub of subdirs) {
    const dir = path.join(stateDir, sub);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    refuse(factsOf(dir, lstatSync(dir)));
  }
}

/**
 * Reads a state file if it may be trusted: opened with O_NOFOLLOW and judged
 * by fstat of what was opened (so it cannot be swapped between the check and
 * the read). Returns undefined when the file does not exist, `problem` when
 * it must be skipped, else its text. Other errors are thrown.
 */
export function readStateFile(
  file: string,
  uid = runnerUid(),
): { text: string } | { problem: string } | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') return { problem: 'it is a symlink' };
    throw err;
  }
  try {
    if (uid !== undefined) {
      const problem = stateFileProblem(factsOf(file, fstatSync(fd)), uid);
      if (problem) return { problem };
    }
    return { text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** Unlinks a file (a symlink itself, never its target); a missing one is fine. */
export function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
