import { accessSync, closeSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { errnoCode, errorMessage } from '../../common/errors.js';
import { crashPoint } from '../crash-points.js';
import {
  LAUNCH_TOKEN_VAR,
  openContainerDir,
  openExitCodeTarget,
  openRunLog,
  pgidFile,
  removeExitCodeFile,
  writePgidFile,
} from '../files/container-dir.js';
import { WRAPPER_DIR_ARG } from '../files/wrapper-sh.js';
import type { DirHandle } from '../files/dir-handle.js';
import type { RunSpawner, RunSpawnResult } from './launcher-spawn.js';
import { buildProcessEnv } from './command-line.js';
import { openCgroupProcs } from './cgroup-join.js';
import type { CgroupRun } from './container-limiter.js';
import { containerSpawnCommand } from './container-command.js';
import type { LaunchPlan, LaunchResult } from './launch-plan.js';
import { memoizedForTurn } from './memoized-for-turn.js';

// The wrapper scripts and the PTY helper's command line live in container-command.ts.
export { WRAPPER_SCRIPT, WRAPPER_SHELL } from './container-command.js';

type ExecCheck = 'ok' | 'ENOENT' | 'EACCES' | 'EISDIR';

function checkExecutable(file: string): ExecCheck {
  try {
    // A PATH search misses in most directories: a miss is undefined, not a thrown error (no stack to build).
    const st = statSync(file, { throwIfNoEntry: false });
    if (st === undefined) return 'ENOENT';
    if (st.isDirectory()) return 'EISDIR';
    accessSync(file, constants.X_OK);
    return 'ok';
  } catch (err) {
    return errnoCode(err) === 'EACCES' ? 'EACCES' : 'ENOENT';
  }
}

const checkExecutableThisTurn = memoizedForTurn(checkExecutable);

/**
 * Resolves argv[0] the way execvp would (PATH search unless it contains a
 * slash), so a missing program is a clear cmdStartError instead of exit 127.
 * `check` is injectable for tests.
 */
export function findExecutable(
  command: string,
  cwd: string,
  pathVar: string | undefined,
  check: (file: string) => ExecCheck = checkExecutable,
): { ok: true; file: string } | { ok: false; problem: string } {
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    const result = check(file);
    if (result === 'ok') return { ok: true, file };
    const problem = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
    }[result];
    return { ok: false, problem };
  }
  let denied = false;
  for (const dir of (pathVar ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const file = path.resolve(cwd, dir === '' ? '.' : dir, command);
    const result = check(file);
    if (result === 'ok') return { ok: true, file };
    if (result === 'EACCES') denied = true;
  }
  return { ok: false, problem: denied ? 'permission denied' : 'no such file or directory' };
}

/**
 * Starts one run of a container as its own process group (setsid) with
 * stdin from /dev/null and stdout/stderr appended to files in the container
 * directory, so nothing ties the processes to the runner. `launchToken`
 * goes into the group's environment (VK_CMD_LAUNCH_TOKEN) and names the
 * run file the wrapper creates. The pgid file is written (tmp + rename)
 * before the result is given. The files are prepared with sync IO; the
 * result is a promise when the spawn goes through the launcher (the run's
 * files stay open until its reply), else given at once (Node's spawn, or a
 * failure before the spawn).
 */
export function launchContainer(
  plan: LaunchPlan,
  containerDir: string,
  launchToken: string,
  runnerEnv: Readonly<Record<string, string | undefined>>,
  spawner: RunSpawner,
  nowMs: () => number = Date.now,
  cgroup?: CgroupRun,
  ptyHelper?: string,
): LaunchResult | Promise<LaunchResult> {
  const env = buildProcessEnv(runnerEnv, [...plan.podEnv, { name: LAUNCH_TOKEN_VAR, value: launchToken }]);
  const argv = plan.argv;
  if (argv.length === 0)
    return { ok: false, reason: 'cmdStartError', message: 'nothing to run; set command or image' };
  try {
    if (!statSync(plan.cwd).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    return {
      ok: false,
      reason: 'cmdStartError',
      message: `chdir ${plan.cwd}: ${errnoCode(err) === 'ENOENT' ? 'no such file or directory' : errorMessage(err)}; check the container's workingDir`,
    };
  }
  const exe = findExecutable(argv[0]!, plan.cwd, env['PATH'], checkExecutableThisTurn);
  if (!exe.ok) {
    return {
      ok: false,
      reason: 'cmdStartError',
      message: `exec ${JSON.stringify(argv[0])}: ${exe.problem}; check the container's command`,
    };
  }
  // Every file of the run is created through this handle, and the wrapper gets it as fd 3.
  let dir: DirHandle;
  try {
    dir = openContainerDir(containerDir);
  } catch (err) {
    return {
      ok: false,
      reason: 'createStdoutFileError',
      message: `failed to create stdout file: ${errorMessage(err)}`,
    };
  }
  let result: LaunchResult | Promise<LaunchResult>;
  try {
    result = launchIn(
      dir,
      plan,
      [...(plan.prefix ?? []), exe.file, ...argv.slice(1)],
      env,
      spawner,
      nowMs,
      cgroup,
      ptyHelper,
    );
  } catch (err) {
    dir.close();
    throw err;
  }
  // The launcher reopens the directory (the wrapper's fd 3) through this handle: open until its reply.
  if (result instanceof Promise) return result.finally(() => dir.close());
  dir.close();
  return result;
}

/**
 * The working directory as the child will see it: below the container
 * directory it is reached through fd 3 (the verified directory), so a path
 * swapped since cannot send the run elsewhere.
 */
export function childCwd(containerDir: string, cwd: string): string {
  const rel = path.relative(containerDir, cwd);
  if (rel === '') return WRAPPER_DIR_ARG;
  if (rel.startsWith('..') || path.isAbsolute(rel)) return cwd;
  return `${WRAPPER_DIR_ARG}/${rel}`;
}

/** The part of launchContainer that writes in the container directory and spawns. */
function launchIn(
  dir: DirHandle,
  plan: LaunchPlan,
  args: string[],
  env: Record<string, string>,
  spawner: RunSpawner,
  nowMs: () => number,
  cgroup: CgroupRun | undefined,
  ptyHelper: string | undefined,
): LaunchResult | Promise<LaunchResult> {
  // One fd per cgroup.procs file (openCgroupProcs below opens them all or fails).
  const command = containerSpawnCommand(plan, args, ptyHelper, cgroup?.procsFiles.length ?? 0);
  if ('error' in command) return { ok: false, reason: 'cmdStartError', message: command.error };
  try {
    removeExitCodeFile(dir);
  } catch (err) {
    return {
      ok: false,
      reason: 'cmdStartError',
      message: `cannot remove the old exitcode file: ${errorMessage(err)}`,
    };
  }
  const fds: number[] = [];
  const closeFds = (): void => {
    for (const fd of fds.splice(0)) closeSync(fd);
  };
  try {
    fds.push(openRunLog(dir, 'stdout', plan.fileOwner));
  } catch (err) {
    return {
      ok: false,
      reason: 'createStdoutFileError',
      message: `failed to create stdout file: ${errorMessage(err)}`,
    };
  }
  try {
    fds.push(openRunLog(dir, 'stderr', plan.fileOwner));
  } catch (err) {
    closeFds();
    return {
      ok: false,
      reason: 'createStderrFileError',
      message: `failed to create stderr file: ${errorMessage(err)}`,
    };
  }
  try {
    fds.push(openExitCodeTarget(dir));
  } catch (err) {
    closeFds();
    return {
      ok: false,
      reason: 'cmdStartError',
      message: `cannot create the exitcode file: ${errorMessage(err)}`,
    };
  }
  let cgroupFds: number[];
  try {
    cgroupFds = openCgroupProcs(cgroup);
  } catch (err) {
    closeFds();
    return {
      ok: false,
      reason: 'cmdStartError',
      message: `cannot open the container's cgroup: ${errorMessage(err)}`,
    };
  }
  fds.push(...cgroupFds);
  const startedAtMs = nowMs();
  const write = constants.O_WRONLY;
  let spawned: RunSpawnResult | Promise<RunSpawnResult>;
  try {
    // args[0] is the resolved path, as execvp would run it: a name like "echo" must not become sh's builtin.
    spawned = spawner.spawnRun({
      file: command.file,
      args: command.args,
      cwd: childCwd(dir.path, plan.cwd),
      env,
      // fd 3: the container directory; fd 4: the exitcode tmp file; 5...: cgroup.procs (see wrapperScript).
      fds: [
        { fd: fds[0]!, flags: write | constants.O_APPEND },
        { fd: fds[1]!, flags: write | constants.O_APPEND },
        { fd: dir.fd, flags: constants.O_RDONLY | constants.O_DIRECTORY },
        { fd: fds[2]!, flags: write },
        ...cgroupFds.map((fd) => ({ fd, flags: write })),
      ],
    });
  } catch (err) {
    spawned = spawnFailure(err);
  }
  if (!(spawned instanceof Promise)) {
    closeFds();
    return afterSpawn(dir, spawned, startedAtMs);
  }
  return spawned.catch(spawnFailure).then((r) => {
    closeFds();
    return afterSpawn(dir, r, startedAtMs);
  });
}

function spawnFailure(err: unknown): RunSpawnResult {
  return { kind: 'failed', reason: 'cmdStartError', message: errorMessage(err) };
}

/** Once the spawn answered: the pgid file of a started group. */
function afterSpawn(dir: DirHandle, spawned: RunSpawnResult, startedAtMs: number): LaunchResult {
  crashPoint('start.after-spawn');
  if (spawned.kind === 'lost')
    return { ok: false, reason: 'cmdStartError', message: spawned.message, lost: true };
  if (spawned.kind === 'failed') return { ok: false, reason: spawned.reason, message: spawned.message };
  const pid = spawned.pgid;
  try {
    writePgidFile(dir, pid);
  } catch (err) {
    // An untracked group must not keep running.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    return {
      ok: false,
      reason: 'writePgidError',
      message: `failed to write pgid to file ${pgidFile(dir.path)}; error: ${errorMessage(err)}`,
    };
  }
  crashPoint('start.after-pgid-file');
  return {
    ok: true,
    run: { pgid: pid, child: spawned.exits, startedAtMs, leaderStartTicks: spawned.leaderStartTicks },
  };
}
