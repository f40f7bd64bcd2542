import { closeSync, constants, openSync } from 'node:fs';
import type { CgroupRun } from './container-limiter.js';

/**
 * The "join cgroup" step of a run: the wrapper puts itself into the
 * container's cgroup(s) as its first action, before it starts the user's
 * command, so every process of the run is born inside them. The runner
 * opens each `cgroup.procs` (permission is checked at open) and passes them
 * as fds 5, 6, ...; the wrapper writes its pid to each, then closes them,
 * so the command inherits none. A wrapper that cannot join runs nothing
 * and exits CGROUP_JOIN_FAILED_EXIT_CODE without an exitcode file.
 */
export const FIRST_CGROUP_FD = 5;

/** The wrapper's status when joining failed (the runner reports cmdStartError). */
export const CGROUP_JOIN_FAILED_EXIT_CODE = 128;

/** Opens a run's cgroup.procs files for writing, in order; the caller closes the fds. */
export function openCgroupProcs(run: CgroupRun | undefined): number[] {
  const fds: number[] = [];
  try {
    for (const file of run?.procsFiles ?? []) fds.push(openSync(file, constants.O_WRONLY));
  } catch (err) {
    for (const fd of fds) closeSync(fd);
    throw err;
  }
  return fds;
}

/** The sh lines that join `count` cgroups through fds 5, 6, ... and close them; empty for none. Pure. */
export function joinCgroupSh(count: number): string[] {
  if (count === 0) return [];
  const fds = Array.from({ length: count }, (_, i) => FIRST_CGROUP_FD + i);
  const writes = fds.map((fd) => `printf '%s\\n' "$$" >&${fd}`).join(' && ');
  return [
    `${writes} || { echo "vk-cmd-wrapper: cannot join the container's cgroup; nothing was run" >&2; exit ${CGROUP_JOIN_FAILED_EXIT_CODE}; }`,
    `exec ${fds.map((fd) => `${fd}>&-`).join(' ')}`,
  ];
}
