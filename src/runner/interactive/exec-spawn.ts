import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ExecPlan } from './exec-command.js';
import { FIRST_CGROUP_FD } from '../process/cgroup-join.js';
import { commandInCgroup } from '../process/container-command.js';
import { ptyHelperArgs } from '../process/pty-helper.js';
import type { SessionStreams, TerminalSizeValue } from './session-input.js';

/** A started exec: its own session and process group (pgid = the leader's pid), with pipes to the runner. */
export interface SpawnedExec {
  child: ChildProcess;
  pgid: number;
  stdin: Writable | null;
  /** With tty: the terminal's output (stdout and stderr merged, plus the helper's own errors). */
  stdout: Readable | null;
  stderr: Readable | null;
  /** With tty: the helper's control pipe (`resize COLS ROWS` lines). */
  resize: ((size: TerminalSizeValue) => void) | undefined;
}

/** A process to start, as planned (planCommand) plus the pipes it gets. */
export interface SpawnRequest {
  /** The program to run (already looked up in PATH). */
  file: string;
  /** argv[0] as the process sees it. */
  argv0: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  stdio: StdioOptions;
}

/**
 * Starts a process as its own session and process group (setsid), so the
 * whole group can be signalled and counted. Throws, or returns a child
 * without a pid that reports 'error', as child_process.spawn does. Every
 * command the runner starts in a container's context (exec sessions, exec
 * probes, hooks) goes through one of these, so switching how processes are
 * forked (a launcher process, a setpriv prefix) is one function.
 */
export type SpawnProcess = (request: SpawnRequest) => ChildProcess;

/** SpawnProcess with Node's child_process (the runner forks itself). */
export const spawnDetached: SpawnProcess = (r) =>
  spawn(r.file, r.args, { argv0: r.argv0, cwd: r.cwd, env: r.env, detached: true, stdio: r.stdio });

/** The exit message of a process: the code, or 128+N and the signal's number and name. Pure. */
export function exitOf(
  code: number | null,
  signal: NodeJS.Signals | null,
): { exitCode: number; signal: number; message: string } {
  if (signal) {
    const n = constants.signals[signal] ?? 0;
    return { exitCode: 128 + n, signal: n, message: `killed by signal ${n} (${signal})` };
  }
  return { exitCode: code ?? 0, signal: 0, message: '' };
}

/**
 * `stdio` with the open cgroup.procs fds appended from fd 5 on (cgroup-join.ts),
 * the slots between left empty; unchanged without cgroups. Pure.
 */
export function stdioWithCgroups(stdio: StdioOptions, cgroupFds: readonly number[]): StdioOptions {
  if (cgroupFds.length === 0 || !Array.isArray(stdio)) return stdio;
  const padded: Extract<StdioOptions, unknown[]> = [...stdio];
  while (padded.length < FIRST_CGROUP_FD) padded.push('ignore');
  return [...padded, ...cgroupFds];
}

/**
 * What to start for `file args` in the container's cgroup(s): a shell that
 * writes its pid to each cgroup.procs fd and then execs the command (so it
 * is born inside them, keeping the shell's pid as the group leader), as exec
 * probes do (commandInCgroup); argv0 then becomes the file's path. Unchanged
 * without cgroups. Pure.
 */
function inCgroup(
  target: { file: string; argv0: string; args: readonly string[] },
  cgroupFds: readonly number[],
): { file: string; argv0: string; args: readonly string[] } {
  if (cgroupFds.length === 0) return target;
  const wrapped = commandInCgroup(target.file, target.args, cgroupFds.length);
  return { ...wrapped, argv0: wrapped.file };
}

/**
 * Starts an exec'd command as its own session and process group (setsid),
 * with pipes for the streams the session asked for and /dev/null for the
 * others. With tty the command runs on a pseudo-terminal through the PTY
 * helper (`helper` is its path), which holds the master and relays it to
 * the pipes. With `cgroupFds` (open cgroup.procs files of the container's
 * run) the process joins those cgroups before the command (or the helper)
 * starts, so the container's limits apply to it. Throws when the process
 * cannot be started (the caller reports it as the session's exit).
 */
export function spawnExec(
  plan: Extract<ExecPlan, { ok: true }>,
  streams: SessionStreams,
  helper: string | undefined,
  spawnProcess: SpawnProcess = spawnDetached,
  cgroupFds: readonly number[] = [],
): SpawnedExec {
  if (!streams.tty) {
    const child = spawnProcess({
      ...inCgroup(plan, cgroupFds),
      cwd: plan.cwd,
      env: plan.env,
      stdio: stdioWithCgroups(
        [
          streams.stdin ? 'pipe' : 'ignore',
          streams.stdout ? 'pipe' : 'ignore',
          streams.stderr ? 'pipe' : 'ignore',
        ],
        cgroupFds,
      ),
    });
    return finish(child, {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      resize: undefined,
    });
  }
  if (!helper) throw new Error('no PTY helper (vk-cmd-pty) was found; a tty is not available');
  const args = ptyHelperArgs({
    size: streams.size,
    control: { fd: 3 },
    stdin: streams.stdin ? 'inherit' : 'none',
    argv0: plan.argv0,
    argv: [plan.file, ...plan.args],
  });
  const child = spawnProcess({
    ...inCgroup({ file: helper, argv0: helper, args }, cgroupFds),
    cwd: plan.cwd,
    env: plan.env,
    stdio: stdioWithCgroups([streams.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'], cgroupFds),
  });
  const control = child.stdio[3] as Writable | null;
  control?.on('error', () => undefined);
  return finish(child, {
    stdin: child.stdin,
    stdout: child.stdout,
    // The helper's own complaints (a failed exec, no pty) have no other way out.
    stderr: child.stderr,
    resize: (size) => control?.write(`resize ${size.cols} ${size.rows}\n`),
  });
}

function finish(child: ChildProcess, io: Omit<SpawnedExec, 'child' | 'pgid'>): SpawnedExec {
  if (child.pid === undefined) {
    // spawn reports ENOENT and friends asynchronously; wait for it to say why.
    throw new SpawnPending(child);
  }
  for (const s of [io.stdin, io.stdout, io.stderr]) s?.on('error', () => undefined);
  return { child, pgid: child.pid, ...io };
}

/** spawn() gave no pid: the reason arrives as the child's 'error' event. */
export class SpawnPending extends Error {
  constructor(readonly child: ChildProcess) {
    super('the process did not start');
  }

  /** The spawn error's message. */
  reason(): Promise<string> {
    return new Promise((resolve) => {
      this.child.once('error', (err) => resolve(err.message));
    });
  }
}
