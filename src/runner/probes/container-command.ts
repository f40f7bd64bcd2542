import type { ChildProcess } from 'node:child_process';
import { cachedCommandEnv, planCommand, type ExecContext } from '../interactive/exec-command.js';
import { spawnDetached, type SpawnProcess } from '../interactive/exec-spawn.js';
import { errorMessage } from '../../common/errors.js';

/**
 * Running a command beside a container, as an exec probe or hook does:
 * planned as an exec session is (interactive/exec-command.ts: the
 * container's working directory and resolved environment, tagged with
 * VK_CMD_EXEC_ID), started through the same SpawnProcess as its own process
 * group so it can be killed whole and counted in the container's stats.
 */

/** The container a command runs beside: its working directory and env (the launch plan's). */
export type CommandContext = ExecContext;

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
  /** VK_CMD_EXEC_ID's value: fixed per kind of command (its environment is built once per run). */
  tag: string;
  /** How the process is started (default: Node's spawn, setsid). */
  spawn?: SpawnProcess | undefined;
}

/**
 * Starts `argv` in the container's context: the runner's environment, then
 * the container's env and identity variables (so pod deletion finds it) and
 * the tag, its working directory, stdin from /dev/null, stdout and stderr collected
 * (stdout first, then stderr, as ExecSync returns them) up to
 * maxOutputBytes. Its own session and process group. Never throws.
 */
export function runInContainer(
  argv: readonly string[],
  context: CommandContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  options: CommandOptions,
): RunningCommand {
  const plan = planCommand(argv, context, cachedCommandEnv(context, runnerEnv, options.tag));
  if (!plan.ok) return notStarted(plan.message);
  let child: ChildProcess;
  try {
    child = (options.spawn ?? spawnDetached)({
      file: plan.file,
      argv0: plan.argv0,
      args: plan.args,
      cwd: plan.cwd,
      env: plan.env,
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
