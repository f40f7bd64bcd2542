import {
  beginRunSh,
  CLOSE_WRAPPER_FDS_SH,
  END_RUN_SH,
  WRAPPER_DIR_ARG,
  WRITE_EXIT_CODE_SH,
} from '../files/wrapper-sh.js';
import {
  STDIN_HOLDER_START_SH,
  STDIN_HOLDER_STOP_SH,
  STDIN_REDIRECT_SH,
  WRAPPER_STDIN_FIFO,
  WRAPPER_TTY_CONTROL_FIFO,
} from '../files/container-stdin.js';
import { joinCgroupSh } from './cgroup-join.js';
import { ptyHelperArgs } from './pty-helper.js';

/**
 * The group leader of every container: joins the run's cgroups when it has
 * any (cgroup-join.ts, fds 5, 6, ...), records that the run began (the run
 * file of its launch token, created exclusively through fd 3, holding the
 * group's id `leader`: `$$`, or `$PPID` under the PTY helper, which leads
 * the group; a run whose file a runner claimed first exits at once and runs
 * nothing), runs the argv as a foreground child (which inherits neither fd
 * 3, the container directory, nor fd 4, the exitcode tmp file), records its
 * status in the run file and then in the container directory's exitcode
 * file atomically through those fds (see container-dir.ts) and exits with
 * it. `$1` is WRAPPER_DIR_ARG. The cgroup is joined before the run file is
 * created: a wrapper that cannot join has run nothing and leaves no run
 * file, so a restarted runner may start that run again. `trap : TERM` keeps
 * the wrapper alive through SIGTERM (a handler, not "ignored", so the child
 * still gets the default TERM action); SIGKILL is the fallback. argv[0] is
 * always an absolute path (see launchContainer), so `"$@"` runs the program
 * and never one of the shell's builtins (echo, printf, kill, [).
 */
export function wrapperScript(cgroupFds = 0, leader = '$$'): string {
  return [
    'd=$1; shift',
    ...joinCgroupSh(cgroupFds),
    beginRunSh(leader),
    'trap : TERM',
    `"$@" ${CLOSE_WRAPPER_FDS_SH}`,
    'c=$?',
    END_RUN_SH,
    WRITE_EXIT_CODE_SH,
    'exit $c',
  ].join('\n');
}

/** The wrapper of a run without cgroups. */
export const WRAPPER_SCRIPT = wrapperScript();

/**
 * The wrapper of a container with stdin and no tty: the same (the run file
 * first), with the stdin FIFO and its holder around the user's command
 * (files/container-stdin.ts).
 */
export function stdinWrapperScript(cgroupFds = 0): string {
  return [
    'd=$1; shift',
    ...joinCgroupSh(cgroupFds),
    beginRunSh('$$'),
    'trap : TERM',
    STDIN_HOLDER_START_SH,
    `"$@" ${STDIN_REDIRECT_SH} ${CLOSE_WRAPPER_FDS_SH}`,
    'c=$?',
    STDIN_HOLDER_STOP_SH,
    END_RUN_SH,
    WRITE_EXIT_CODE_SH,
    'exit $c',
  ].join('\n');
}

export const WRAPPER_SHELL = '/bin/sh';

/** What to spawn for one run, or why it cannot be. */
export type SpawnCommand = { file: string; args: string[] } | { error: string };

/**
 * The command line of a run (`args[0]` is the resolved program): the
 * wrapper shell; with stdin, the wrapper that reads the stdin FIFO; with
 * tty, the PTY helper as the group leader, holding the terminal (and the
 * stdin FIFO when stdin is set) and running the wrapper on it, so the
 * terminal's output goes to the stdout file and `resize`/`eof` arrive on
 * the control FIFO. Pure.
 */
export function containerSpawnCommand(
  plan: { stdin?: boolean; tty?: boolean },
  args: readonly string[],
  ptyHelper: string | undefined,
  cgroupFds = 0,
): SpawnCommand {
  const wrapper = (script: string): string[] => ['-c', script, 'vk-cmd-wrapper', WRAPPER_DIR_ARG, ...args];
  if (!plan.tty) {
    return {
      file: WRAPPER_SHELL,
      args: wrapper(plan.stdin ? stdinWrapperScript(cgroupFds) : wrapperScript(cgroupFds)),
    };
  }
  if (!ptyHelper) {
    return { error: 'tty: the PTY helper vk-cmd-pty was not found beside the runner; set VK_CMD_PTY_HELPER' };
  }
  return {
    file: ptyHelper,
    args: ptyHelperArgs({
      size: undefined,
      control: { fifo: WRAPPER_TTY_CONTROL_FIFO },
      stdin: plan.stdin ? { fifo: WRAPPER_STDIN_FIFO } : 'none',
      argv0: undefined,
      // The helper leads the group; the wrapper is its child.
      argv: [WRAPPER_SHELL, ...wrapper(wrapperScript(cgroupFds, '$PPID'))],
    }),
  };
}

/**
 * What to start for an exec probe or hook (`file` and `args` as planned):
 * unchanged without cgroups; with `cgroupFds` cgroup.procs files on fds 5,
 * 6, ... (cgroup-join.ts), a shell that joins them and then execs the
 * command, so the command runs inside the container's cgroup(s) with the
 * shell's pid (still the group leader) and its exit status is the
 * command's. A shell that cannot join runs nothing and exits
 * CGROUP_JOIN_FAILED_EXIT_CODE with the reason on stderr. Pure.
 */
export function commandInCgroup(
  file: string,
  args: readonly string[],
  cgroupFds: number,
): { file: string; args: string[] } {
  if (cgroupFds === 0) return { file, args: [...args] };
  const script = [...joinCgroupSh(cgroupFds), 'exec "$@"'].join('\n');
  return { file: WRAPPER_SHELL, args: ['-c', script, 'vk-cmd-command', file, ...args] };
}
