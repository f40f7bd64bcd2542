import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync } from 'node:fs';
import {
  cachedCommandEnv,
  planCommand,
  type ExecContext,
  type ExecPlan,
} from '../interactive/exec-command.js';
import { spawnDetached, type SpawnProcess } from '../interactive/exec-spawn.js';
import { openCgroupProcs } from '../process/cgroup-join.js';
import { commandInCgroup } from '../process/container-command.js';
import { errorMessage } from '../../common/errors.js';
import { GroupKiller } from './group-killer.js';
import { launchCommand, type StartGroup } from './launched-command.js';
import { notStartedCommand, type CommandResult, type RunningCommand } from './running-command.js';

export type { CommandResult, RunningCommand } from './running-command.js';

/**
 * Running a command beside a container, as an exec probe or hook does:
 * planned as an exec session is (interactive/exec-command.ts: the
 * container's working directory and resolved environment, tagged with
 * VK_CMD_EXEC_ID), started as its own process group so it can be killed
 * whole and counted in the container's stats, inside the container's
 * cgroup when it has one. Through the launcher when one is given and
 * available (launched-command.ts: output to files, the exit as the
 * launcher's event; the runner never forks), else with Node's spawn and
 * pipes (SpawnProcess, which forks the runner).
 */

/** The container a command runs beside: its working directory and env (the launch plan's). */
export type CommandContext = ExecContext;

export interface CommandOptions {
  /** SIGKILL the group after this long; undefined runs without a deadline. */
  timeoutMs: number | undefined;
  /** Combined stdout and stderr kept, as the kubelet's 10 KiB LimitWriter. */
  maxOutputBytes: number;
  /** VK_CMD_EXEC_ID's value: fixed per kind of command (its environment is built once per run). */
  tag: string;
  /** How the process is started without the launcher (default: Node's spawn, setsid). */
  spawn?: SpawnProcess | undefined;
  /** Starts it through the launcher; without it (or while the launcher is unavailable) `spawn` does. */
  start?: StartGroup | undefined;
  /** The container directory, where the launcher path creates the output files; required by it. */
  containerDir?: string | undefined;
  /** The container's cgroup.procs files: the command joins them first (none: it stays where the runner is). */
  cgroupProcs?: readonly string[] | undefined;
}

/**
 * Starts `argv` in the container's context: the runner's environment, then
 * the container's env and identity variables (so pod deletion finds it) and
 * the tag, its working directory, stdin from /dev/null, stdout and stderr collected
 * (stdout first, then stderr, as ExecSync returns them) up to
 * maxOutputBytes. Its own session and process group, in the container's
 * cgroup(s) when `cgroupProcs` names any. Resolves once it started (or
 * could not); never rejects.
 */
export async function runInContainer(
  argv: readonly string[],
  context: CommandContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  options: CommandOptions,
): Promise<RunningCommand> {
  const plan = planCommand(argv, context, cachedCommandEnv(context, runnerEnv, options.tag));
  if (!plan.ok) return notStartedCommand(plan.message);
  let cgroupFds: number[];
  try {
    cgroupFds = openCgroupProcs(
      options.cgroupProcs?.length ? { procsFiles: [...options.cgroupProcs] } : undefined,
    );
  } catch (err) {
    return notStartedCommand(`cannot join the container's cgroup: ${errorMessage(err)}`);
  }
  try {
    const target = commandInCgroup(plan.file, plan.args, cgroupFds.length);
    if (options.start && options.containerDir !== undefined) {
      const launched = await launchCommand(
        {
          ...target,
          cwd: plan.cwd,
          env: plan.env,
          containerDir: options.containerDir,
          cgroupFds,
          timeoutMs: options.timeoutMs,
          maxOutputBytes: options.maxOutputBytes,
          argv0: plan.argv0,
        },
        options.start,
      );
      if (launched !== 'unavailable') return launched;
    }
    return spawnWithPipes(argv, plan, target, cgroupFds, options);
  } finally {
    for (const fd of cgroupFds) closeSync(fd);
  }
}

/** Node's spawn (the runner forks) with pipes for the output; the cgroup.procs fds go to fds 5... */
function spawnWithPipes(
  argv: readonly string[],
  plan: Extract<ExecPlan, { ok: true }>,
  target: { file: string; args: string[] },
  cgroupFds: readonly number[],
  options: CommandOptions,
): RunningCommand {
  const stdio: StdioOptions =
    cgroupFds.length === 0
      ? ['ignore', 'pipe', 'pipe']
      : ['ignore', 'pipe', 'pipe', 'ignore', 'ignore', ...cgroupFds];
  let child: ChildProcess;
  try {
    child = (options.spawn ?? spawnDetached)({
      file: target.file,
      argv0: cgroupFds.length === 0 ? plan.argv0 : target.file,
      args: target.args,
      cwd: plan.cwd,
      env: plan.env,
      stdio,
    });
  } catch (err) {
    return notStartedCommand(`exec: ${JSON.stringify(argv[0])}: ${errorMessage(err)}`);
  }
  const pgid = child.pid ?? 0;
  const out = new LimitedBuffer(options.maxOutputBytes);
  const err = new LimitedBuffer(options.maxOutputBytes);
  child.stdout?.on('data', (chunk: Buffer) => out.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.add(chunk));
  const group = new GroupKiller(pgid, options.timeoutMs);
  const output = (): string => out.text(options.maxOutputBytes) + err.text(options.maxOutputBytes - out.size);
  const done = new Promise<CommandResult>((resolve) => {
    child.once('error', (e) => {
      group.clear();
      resolve({ kind: 'notStarted', message: `exec: ${JSON.stringify(argv[0])}: ${errorMessage(e)}` });
    });
    // A killed command may have left processes outside its group holding the pipes open.
    child.once('exit', () => {
      if (!group.timedOut && !group.killed) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
    // 'close': the pipes are drained too, so the output is complete.
    child.once('close', (code, signal) => {
      group.clear();
      if (group.timedOut) resolve({ kind: 'timedOut', output: output() });
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
  return { pgid, done, kill: () => group.kill() };
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
