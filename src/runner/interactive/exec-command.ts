import path from 'node:path';
import { buildProcessEnv, type EnvEntry } from '../process/command-line.js';
import { findExecutable } from '../process/container-launcher.js';
import { withLaunchPrefix } from '../security/launch-prefix.js';

/** Names an exec'd process in its environment (beside the pod identity), so it can be found in /proc. */
export const EXEC_ID_VAR = 'VK_CMD_EXEC_ID';

/** Exit codes a shell (and runc) use when a program cannot be run. */
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

/** The container a command runs beside: its working directory and env (the launch plan's). */
export interface ExecContext {
  cwd: string;
  podEnv: readonly EnvEntry[];
  /** The container's launch prefix (setpriv ... --): the command runs with its identity and capabilities. */
  prefix?: readonly string[] | undefined;
}

/** How to start an exec'd command, or why it cannot start (the session then ends with that exit). */
export type ExecPlan =
  | {
      ok: true;
      /** The program found, as execvp would run it. */
      file: string;
      /** argv[0] as given, as execvp passes it. */
      argv0: string;
      args: string[];
      cwd: string;
      env: Record<string, string>;
    }
  | { ok: false; exitCode: number; message: string };

type Check = Parameters<typeof findExecutable>[3];

/**
 * Resolves an exec: the container's environment exactly (the runner's env,
 * the pod's env and identity variables) plus VK_CMD_EXEC_ID, its working
 * directory, and argv[0] looked up like execvp. A program that cannot be
 * run fails the way runc reports it, with Go's exec.LookPath wording:
 * `exec: "x": executable file not found in $PATH` (127), `exec: "/x": stat
 * /x: no such file or directory` (127), `exec: "x": permission denied` (126).
 * Pure apart from the file checks (`check` is injectable).
 */
export function planExec(
  command: readonly string[],
  context: ExecContext,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  execId: string,
  check?: Check,
): ExecPlan {
  const env = buildProcessEnv(runnerEnv, [...context.podEnv, { name: EXEC_ID_VAR, value: execId }]);
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
