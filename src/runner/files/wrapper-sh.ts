import { EXIT_CODE_FILE, EXIT_CODE_TMP_FILE, LAUNCH_TOKEN_VAR } from './container-dir.js';
import { RUN_FILE_PREFIX } from './run-file.js';

/*
 * The wrapper's side of the container directory protocol (container-dir.ts):
 * the fds it gets and the sh steps with which it writes the run file and the
 * exitcode file.
 */

/** The fd on which the wrapper finds the container directory (a DirHandle's fd). */
export const WRAPPER_DIR_FD = 3;
/** The fd on which the wrapper finds the exitcode tmp file the runner created for it. */
export const WRAPPER_EXIT_CODE_FD = 4;
/** The wrapper's `$d`: the container directory resolved through fd 3, whatever happened to its path. */
export const WRAPPER_DIR_ARG = `/proc/self/fd/${WRAPPER_DIR_FD}`;
/** Redirections for the user's command: it inherits neither of the wrapper's fds. */
export const CLOSE_WRAPPER_FDS_SH = `${WRAPPER_DIR_FD}>&- ${WRAPPER_EXIT_CODE_FD}>&-`;

/**
 * The wrapper's last step, in sh: writes `$c` (the main process's status)
 * into fd 4 (the exitcode tmp file the runner created) and renames it to the
 * exitcode file of `$d` (WRAPPER_DIR_ARG), atomically. `mv -T` (GNU and
 * BusyBox) never moves into a directory or a symlink to one that a process
 * of the pod put at the name. mv is looked up in the system directories, not
 * the pod's PATH.
 */
export const WRITE_EXIT_CODE_SH = `printf '%s\\n' "$c" >&${WRAPPER_EXIT_CODE_FD} && PATH=/usr/bin:/bin mv -fT "$d/${EXIT_CODE_TMP_FILE}" "$d/${EXIT_CODE_FILE}"`;

/**
 * The wrapper's first step, in sh: creates the run file of `$VK_CMD_LAUNCH_TOKEN`
 * in container directory `$d` (WRAPPER_DIR_ARG, so through fd 3)
 * exclusively (noclobber opens with O_EXCL in dash and bash), holding the
 * group's id (`leader`: a shell expression, `$$` when the wrapper leads the
 * group), and remembers its path in `$r`; when it exists already (a runner
 * claimed it) the wrapper exits at once, silently, running nothing. printf
 * is a regular builtin, so a failed redirection does not end the shell
 * before `|| exit 0`.
 */
export function beginRunSh(leader: string): string {
  return [
    `r="$d/${RUN_FILE_PREFIX}$${LAUNCH_TOKEN_VAR}"`,
    'set -C',
    `{ printf '%s\\n' "${leader}" >"$r"; } 2>/dev/null || exit 0`,
    'set +C',
  ].join('\n');
}

/** The wrapper's first step when it leads the group itself. */
export const BEGIN_RUN_SH = beginRunSh('$$');

/** The wrapper's record of the main process's status `$c` in the run file `$r` (before the exitcode file). */
export const END_RUN_SH = `printf '%s\\n' "$c" >>"$r"`;
