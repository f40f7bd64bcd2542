import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { buildProcessEnv, type EnvEntry } from '../process/command-line.js';
import { findExecutable } from '../process/container-launcher.js';
import { errorMessage } from '../../common/errors.js';
import { withLaunchPrefix } from '../security/launch-prefix.js';

/**
 * Running a command beside a container, as an exec probe or hook does (and
 * the Exec RPC will): in the container's working directory with its
 * resolved environment, as its own process group so it can be killed
 * whole and counted in the container's stats. This is the one place the
 * runner spawns such commands outside the container launcher; it is meant
 * to be shared with the interactive Exec service when both land.
 */

/** The container a command runs beside: its working directory and env (the launch plan's). */
export interface CommandContext {
  cwd: string;
  podEnv: readonly EnvEntry[];
  /** The container's launch prefix (setpriv ... --): the command runs with its identity and capabilities. */
  prefix?: readonly string[] | undefined;
}

/** How a command ended. */
export type CommandResult =
  /** `output` is stdout then stderr (within the limit); `stderr` alone, for messages that quote it. */
  | { kind: 'exited'; exitCode: number; output: string; stderr: string }
  /** Killed at its deadline (its group got SIGKILL). */
  | { kind: 'timedOut'; output: string }
  /** Killed by kill() (the container stopped) or by a signal from elsewhere. */
  | { kind: 'killed'; signal: string; output: string }
  /** It could not start: the message is Go's exec wording, as runc reports it. */
  | { kind: 'notStarted'; message: string };

/** A started command. */
export interface RunningCommand {
  /** Its process group (0 when it did not start). */
  readonly pgid: number;
  readonly done: Promise<CommandResult>;
  /** SIGKILL to the whole group; idempotent. */
  kill(): void;
}

export interface CommandOptions {
  /** SIGKILL the group after this long; undefined runs without a deadline. */
  timeoutMs: number | undefined;
  /** Combined stdout and stderr kept, as the kubelet's 10 KiB LimitWriter. */
  maxOutputBytes: number;
}

/**
 * Where argv[0] is, as execvp finds it in the container's PATH and
 * directory, or Go's exec error wording when it cannot run. Pure apart from
 * the file checks.
 */
export function resolveCommand(
  argv: readonly string[],
  cwd: string,
  pathVar: string | undefined,
): { ok: true; file: string } | { ok: false; message: string } {
  const argv0 = argv[0];
  if (argv0 === undefined || argv0 === '') return { ok: false, message: 'exec: no command' };
  const found = findExecutable(argv0, cwd, pathVar);
  if (found.ok) return found;
  const quoted = JSON.stringify(argv0);
  if (found.problem === 'no such file or directory') {
    return {
      ok: false,
      message: argv0.includes('/')
        ? `exec: ${quoted}: stat ${path.resolve(cwd, argv0)}: no such file or directory`
        : `exec: ${quoted}: executable file not found in $PATH`,
    };
  }
  return { ok: false, message: `exec: ${quoted}: ${found.problem}` };
}

/**
 * Starts `argv` in the container's context: the runner's environment, then
 * the container's env and identity variables (so pod deletion finds it), its
 * working directory, stdin from /dev/null, stdout and stderr collected
 * (stdout first, then stderr, as ExecSync returns them) up to
 * maxOutputBytes. Its own session and process group. Never throws.
 */
export function runInContainer(
  argv: readonly string[],
  context: CommandContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  options: CommandOptions,
): RunningCommand {
  const env = buildProcessEnv(runnerEnv, context.podEnv);
  const resolved = resolveCommand(argv, context.cwd, env['PATH']);
  if (!resolved.ok) return notStarted(resolved.message);
  let child: ChildProcess;
  try {
    const target = withLaunchPrefix(context.prefix, {
      file: resolved.file,
      argv0: argv[0]!,
      args: argv.slice(1),
    });
    child = spawn(target.file, target.args, {
      argv0: target.argv0,
      cwd: context.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    return notStarted(`exec: ${JSON.stringify(argv[0])}: ${errorMessage(err)}`);
  }
  const pgid = child.pid ?? 0;
  const out = new LimitedBuffer(options.maxOutputBytes);
  const err = new LimitedBuffer(options.maxOutputBytes);
  child.stdout?.on('data', (chunk: Buffer) => out.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.add(chunk));
  let timedOut = false;
  let killed = false;
  const killGroup = (): void => {
    if (pgid <= 0) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup();
        }, options.timeoutMs);
  const output = (): string => out.text(options.maxOutputBytes) + err.text(options.maxOutputBytes - out.size);
  const done = new Promise<CommandResult>((resolve) => {
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ kind: 'notStarted', message: `exec: ${JSON.stringify(argv[0])}: ${errorMessage(e)}` });
    });
    // A killed command may have left processes outside its group holding the pipes open.
    child.once('exit', () => {
      if (!timedOut && !killed) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
    // 'close': the pipes are drained too, so the output is complete.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ kind: 'timedOut', output: output() });
      else if (signal) resolve({ kind: 'killed', signal, output: output() });
      else
        resolve({
          kind: 'exited',
          exitCode: code ?? 0,
          output: output(),
          stderr: err.text(options.maxOutputBytes),
        });
    });
  });
  return {
    pgid,
    done,
    kill: () => {
      if (killed) return;
      killed = true;
      killGroup();
    },
  };
}

function notStarted(message: string): RunningCommand {
  return { pgid: 0, done: Promise.resolve({ kind: 'notStarted', message }), kill: () => undefined };
}

/** Keeps the first `limit` bytes written to it. */
class LimitedBuffer {
  private readonly chunks: Buffer[] = [];
  size = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    if (this.size >= this.limit) return;
    const part = chunk.subarray(0, this.limit - this.size);
    this.chunks.push(part);
    this.size += part.length;
  }

  text(limit: number): string {
    if (limit <= 0) return '';
    return Buffer.concat(this.chunks).subarray(0, limit).toString('utf8');
  }
}
