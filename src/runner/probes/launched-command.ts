import { constants } from 'node:fs';
import { errorMessage } from '../../common/errors.js';
import type { LeaderExits } from '../process/group-monitor.js';
import type { LauncherStart } from '../process/launcher-client.js';
import { errnoText } from '../process/launcher-outcome.js';
import type { ChildFile, StartRequest } from '../process/launcher-protocol.js';
import { FIRST_CGROUP_FD } from '../process/cgroup-join.js';
import { GroupKiller } from './group-killer.js';
import { notStartedCommand, type CommandResult, type RunningCommand } from './running-command.js';
import {
  boundedOutput,
  openOutputFiles,
  OUTPUT_TRIM_INTERVAL_MS,
  type OutputFiles,
} from './command-output.js';

/**
 * Starts one process group through the launcher (runner-app.ts wires
 * `async (req) => launcher.spawnGroup(req)`): 'started' with the leader's
 * exits, 'failed' with the step and errno, 'lost' when the launcher died
 * with the request in flight, 'unavailable' when nothing was sent (the
 * caller then uses Node's spawn). The fds named in `req.files` stay open
 * until it settles.
 */
export type StartGroup = (req: Omit<StartRequest, 'id'>) => Promise<LauncherStart>;

/** One exec probe or hook command to start through the launcher, as planned. */
export interface LaunchedCommandRequest {
  /** An absolute path: the launcher execs it as argv[0]. */
  file: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** The container directory its output files are created in (command-output.ts). */
  containerDir: string;
  /** Open cgroup.procs fds it gets as fds 5, 6, ... (the caller closes them once this settled). */
  cgroupFds: readonly number[];
  timeoutMs: number | undefined;
  maxOutputBytes: number;
  /** argv[0] as the user wrote it, for messages. */
  argv0: string;
}

const WRITE_APPEND = constants.O_WRONLY | constants.O_APPEND;

/** The child's files: stdin /dev/null, stdout and stderr the output files, cgroup.procs from fd 5. Pure. */
export function commandChildFiles(
  runnerPid: number,
  stdoutFd: number,
  stderrFd: number,
  cgroupFds: readonly number[],
): ChildFile[] {
  const proc = (fd: number) => `/proc/${runnerPid}/fd/${fd}`;
  return [
    { childFd: 0, flags: constants.O_RDONLY, path: '/dev/null' },
    { childFd: 1, flags: WRITE_APPEND, path: proc(stdoutFd) },
    { childFd: 2, flags: WRITE_APPEND, path: proc(stderrFd) },
    ...cgroupFds.map((fd, i) => ({
      childFd: FIRST_CGROUP_FD + i,
      flags: constants.O_WRONLY,
      path: proc(fd),
    })),
  ];
}

/**
 * Starts the command through `start` as its own session and process group,
 * its output going to unlinked files; the leader's exit comes as the
 * launcher's exit event, the output is read then (bounded) and the files
 * closed. At `timeoutMs` the whole group gets SIGKILL. A launcher that dies
 * while the command runs cannot report its exit: the group is killed and
 * the command reported killed. 'unavailable': nothing was started. Never
 * rejects.
 */
export async function launchCommand(
  req: LaunchedCommandRequest,
  start: StartGroup,
): Promise<RunningCommand | 'unavailable'> {
  const quoted = JSON.stringify(req.argv0);
  let files: OutputFiles;
  try {
    files = openOutputFiles(req.containerDir);
  } catch (err) {
    return notStartedCommand(`exec: ${quoted}: cannot create its output files: ${errorMessage(err)}`);
  }
  let started: LauncherStart;
  try {
    started = await start({
      argv: [req.file, ...req.args],
      env: req.env,
      cwd: req.cwd,
      setsid: true,
      files: commandChildFiles(process.pid, files.stdoutFd, files.stderrFd, req.cgroupFds),
    });
  } catch (err) {
    started = { kind: 'lost', message: errorMessage(err) };
  }
  switch (started.kind) {
    case 'started':
      return watchCommand(started.pgrp, started.exits, files, req);
    case 'unavailable':
      files.close();
      return 'unavailable';
    case 'failed': {
      files.close();
      const { step, errno } = started.reply;
      const why = errnoText(errno);
      return notStartedCommand(
        step === 'chdir' ? `chdir ${req.cwd}: ${why}` : `exec: ${quoted}: ${step} failed: ${why}`,
      );
    }
    case 'lost':
      files.close();
      return notStartedCommand(`exec: ${quoted}: ${started.message}`);
  }
}

function watchCommand(
  pgid: number,
  exits: LeaderExits,
  files: OutputFiles,
  req: LaunchedCommandRequest,
): RunningCommand {
  const max = req.maxOutputBytes;
  const group = new GroupKiller(pgid, req.timeoutMs);
  // Output past the bound is dropped while the command runs, as the kubelet's LimitWriter drops it.
  const trimmer = setInterval(() => files.trim(max), OUTPUT_TRIM_INTERVAL_MS);
  trimmer.unref();
  const done = new Promise<CommandResult>((resolve) => {
    let ended = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      group.clear();
      clearInterval(trimmer);
      let out = { output: '', stderr: '' };
      try {
        const read = files.read(max);
        out = boundedOutput(read.stdout, read.stderr, max);
      } catch {
        // Unreadable output reads as none; the exit still counts.
      } finally {
        files.close();
      }
      if (group.timedOut) resolve({ kind: 'timedOut', output: out.output });
      else if (signal) resolve({ kind: 'killed', signal, output: out.output });
      else resolve({ kind: 'exited', exitCode: code ?? 0, output: out.output, stderr: out.stderr });
    };
    exits.once('exit', finish);
    exits.once('lost', () => {
      group.killGroup();
      finish(null, 'SIGKILL');
    });
  });
  return { pgid, done, kill: () => group.kill() };
}
