import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { LeaderExits } from './group-monitor.js';
import type { LauncherClient } from './launcher-client.js';
import { launchFailureOf, startedGroupOf, type LauncherFailureReason } from './launcher-outcome.js';
import type { ProcessTable } from './process-table.js';

/** One run's process group to start: setsid, stdin /dev/null, fds 1... from the runner's open fds. */
export interface RunSpawnRequest {
  /** The program, an absolute path. */
  file: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** The child's fds 1, 2, 3, ...: an fd the runner holds open, and how it was opened (open(2) flags, reused to reopen it). */
  fds: ReadonlyArray<{ fd: number; flags: number }>;
}

/** How a spawn went. */
export type RunSpawnResult =
  | { kind: 'started'; pgid: number; leaderStartTicks: number; exits: LeaderExits }
  | { kind: 'failed'; reason: LauncherFailureReason; message: string }
  /** The launcher died with the request in flight: whether the group exists is not known. */
  | { kind: 'lost'; message: string };

/**
 * Starts run groups. The result comes once the leader has exec'd (or failed
 * to): a promise through the launcher (the event loop goes on meanwhile), at
 * once with Node's spawn (which blocks). The request's fds must stay open until then.
 */
export interface RunSpawner {
  spawnRun(req: RunSpawnRequest): RunSpawnResult | Promise<RunSpawnResult>;
}

/** Open flags that only mattered when the runner created the file. */
const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_TRUNC;

/**
 * Spawns through the launcher while it is available, else with Node's
 * spawn (which forks the runner). Without a client (none found, or it
 * failed to start) every spawn is Node's.
 */
export class RoutedSpawner implements RunSpawner {
  constructor(
    private readonly client: LauncherClient | undefined,
    private readonly table: Pick<ProcessTable, 'read'>,
    private readonly log: Logger,
  ) {}

  spawnRun(req: RunSpawnRequest): RunSpawnResult | Promise<RunSpawnResult> {
    if (!this.client?.available) return nodeSpawnRun(req, this.table);
    return this.client
      .spawnGroup({
        argv: [req.file, ...req.args],
        env: req.env,
        cwd: req.cwd,
        setsid: true,
        files: [
          { childFd: 0, flags: constants.O_RDONLY, path: '/dev/null' },
          // The runner's own fds, reopened by the launcher through their magic links: the same files.
          ...req.fds.map((f, i) => ({
            childFd: i + 1,
            flags: f.flags & ~CREATE_FLAGS,
            path: `/proc/${process.pid}/fd/${f.fd}`,
          })),
        ],
      })
      .then((r): RunSpawnResult => {
        switch (r.kind) {
          case 'started': {
            const group = startedGroupOf({
              kind: 'ok',
              id: 0,
              pid: r.pid,
              pgrp: r.pgrp,
              startTicks: r.startTicks,
            });
            if (!group.ok) {
              killGroup(r.pid);
              return { kind: 'failed', reason: group.reason, message: group.message };
            }
            return {
              kind: 'started',
              pgid: group.pgid,
              leaderStartTicks: group.leaderStartTicks,
              exits: r.exits,
            };
          }
          case 'failed':
            return { kind: 'failed', ...launchFailureOf(r.reply, req.cwd, req.file) };
          case 'lost':
            this.log.error({ file: req.file }, r.message);
            return r;
          case 'unavailable':
            // Nothing was sent: the fds are still open, so Node's spawn can start it.
            return nodeSpawnRun(req, this.table);
        }
      });
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Node's spawn: forks the runner and blocks until the child exec'd. */
export function nodeSpawnRun(req: RunSpawnRequest, table: Pick<ProcessTable, 'read'>): RunSpawnResult {
  let child;
  try {
    child = spawn(req.file, req.args, {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ['ignore', ...req.fds.map((f) => f.fd)],
    });
  } catch (err) {
    return {
      kind: 'failed',
      reason: 'cmdStartError',
      message: `${errorMessage(err)}; check the container's command`,
    };
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.on('error', () => undefined);
    return {
      kind: 'failed',
      reason: 'cmdStartError',
      message: `failed to start ${req.file}; is it installed?`,
    };
  }
  // The leader cannot have been reaped yet (that needs the event loop), so its stat is readable.
  const leader = table.read(pid);
  if (!leader || leader.pgrp !== pid) {
    killGroup(pid);
    return { kind: 'failed', reason: 'getPgidError', message: `failed to get pgid of process ${pid}` };
  }
  return { kind: 'started', pgid: pid, leaderStartTicks: leader.startTicks, exits: child };
}
