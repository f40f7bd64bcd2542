import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ExecPlan } from './exec-command.js';
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
 * Starts an exec'd command as its own session and process group (setsid),
 * with pipes for the streams the session asked for and /dev/null for the
 * others. With tty the command runs on a pseudo-terminal through the PTY
 * helper (`helper` is its path), which holds the master and relays it to
 * the pipes. Throws when the process cannot be started (the caller reports
 * it as the session's exit).
 */
export function spawnExec(
  plan: Extract<ExecPlan, { ok: true }>,
  streams: SessionStreams,
  helper: string | undefined,
): SpawnedExec {
  if (!streams.tty) {
    const child = spawn(plan.file, plan.args, {
      argv0: plan.argv0,
      cwd: plan.cwd,
      env: plan.env,
      detached: true,
      stdio: [
        streams.stdin ? 'pipe' : 'ignore',
        streams.stdout ? 'pipe' : 'ignore',
        streams.stderr ? 'pipe' : 'ignore',
      ],
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
  const child = spawn(helper, args, {
    cwd: plan.cwd,
    env: plan.env,
    detached: true,
    stdio: [streams.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
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
