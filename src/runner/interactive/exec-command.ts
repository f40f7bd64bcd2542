import path from 'node:path';
import { buildProcessEnv, type EnvEntry } from '../process/command-line.js';
import { findExecutable } from '../process/container-launcher.js';
import { withLaunchPrefix } from '../security/launch-prefix.js';

/**
 * The one planner of "run a command in a container's context" for exec
 * sessions, exec probes and lifecycle hooks alike: the container's working
 * directory and environment, a tag in the environment, and argv[0] looked
 * up as execvp does. How the planned process is started is exec-spawn.ts.
 */

/** Tags every process the runner starts beside a container (exec sessions, probes, hooks), so it can be found in /proc. */
export const EXEC_ID_VAR = 'VK_CMD_EXEC_ID';

/** Exit codes a shell (and runc) use when a program cannot be run. */
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

/**
 * The container a command runs beside: its working directory and env (the
 * launch plan's). The same object is passed for every command of one run,
 * so the environment built from it is cached per object.
 */
export interface ExecContext {
  readonly cwd: string;
  readonly podEnv: readonly EnvEntry[];
  /** The container's launch prefix (setpriv ... --): the command runs with its identity and capabilities. */
  readonly prefix?: readonly string[] | undefined;
}

/** How to start a command, or why it cannot start (the session then ends with that exit). */
export type ExecPlan =
  | {
      ok: true;
      /** The program found, as execvp would run it. */
      file: string;
      /** argv[0] as given, as execvp passes it. */
      argv0: string;
      args: string[];
      cwd: string;
      /** May be shared with other plans (cachedCommandEnv): never modify it. */
      env: Record<string, string>;
    }
  | { ok: false; exitCode: number; message: string };

type Check = Parameters<typeof findExecutable>[3];

/** Environments of fixed tags (probes, hooks) by context: a probe ticking every second builds its env once. */
const envCache = new WeakMap<
  ExecContext,
  { runnerEnv: object; podEnv: object; byTag: Map<string, Record<string, string>> }
>();

/**
 * The environment of a command in `context`: the runner's env, the pod's
 * env and identity variables, and EXEC_ID_VAR=`tag`. Pure.
 */
export function commandEnv(
  context: ExecContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  tag: string,
): Record<string, string> {
  return buildProcessEnv(runnerEnv, [...context.podEnv, { name: EXEC_ID_VAR, value: tag }]);
}

/**
 * commandEnv cached per context object and tag, for the fixed tags of
 * probes and hooks (a context lives as long as its container's run). The
 * result is shared: never modify it.
 */
export function cachedCommandEnv(
  context: ExecContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  tag: string,
): Record<string, string> {
  let entry = envCache.get(context);
  // Built again if the context's env was replaced in place.
  if (!entry || entry.runnerEnv !== runnerEnv || entry.podEnv !== context.podEnv) {
    entry = { runnerEnv, podEnv: context.podEnv, byTag: new Map() };
    envCache.set(context, entry);
  }
  let env = entry.byTag.get(tag);
  if (!env) entry.byTag.set(tag, (env = commandEnv(context, runnerEnv, tag)));
  return env;
}

/**
 * Plans a command in a container's context: `env` (commandEnv's: the
 * container's environment exactly plus VK_CMD_EXEC_ID), its working
 * directory, and argv[0] looked up like execvp in env's PATH. A program that cannot be run fails the way runc reports it, with
 * Go's exec.LookPath wording: `exec: "x": executable file not found in
 * $PATH` (127), `exec: "/x": stat /x: no such file or directory` (127),
 * `exec: "x": permission denied` (126). Pure apart from the file checks
 * (`check` is injectable).
 */
export function planCommand(
  command: readonly string[],
  context: ExecContext,
  env: Record<string, string>,
  check?: Check,
): ExecPlan {
  const argv0 = command[0];
  if (argv0 === undefined || argv0 === '') {
    return { ok: false, exitCode: EXIT_NOT_FOUND, message: 'exec: no command' };
  }
  const found = findExecutable(argv0, context.cwd, env['PATH'], check);
  if (!found.ok) {
    const quoted = JSON.stringify(argv0);
    if (found.problem === 'no such file or directory') {
      const message = argv0.includes('/')
        ? `exec: ${quoted}: stat ${path.resolve(context.cwd, argv0)}: no such file or directory`
        : `exec: ${quoted}: executable file not found in $PATH`;
      return { ok: false, exitCode: EXIT_NOT_FOUND, message };
    }
    return { ok: false, exitCode: EXIT_NOT_EXECUTABLE, message: `exec: ${quoted}: permission denied` };
  }
  const target = withLaunchPrefix(context.prefix, { file: found.file, argv0, args: command.slice(1) });
  return { ok: true, ...target, cwd: context.cwd, env };
}

/** An exec session's plan: tagged with its session id. */
export function planExec(
  command: readonly string[],
  context: ExecContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  execId: string,
  check?: Check,
): ExecPlan {
  return planCommand(command, context, commandEnv(context, runnerEnv, execId), check);
}
