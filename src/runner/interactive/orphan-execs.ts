import { readFileSync } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import { isLive, parsePodIdentity, type ProcEntry } from '../process/process-table.js';
import { EXEC_ID_VAR } from './exec-command.js';

const EXEC_MARK = Buffer.from(`\0${EXEC_ID_VAR}=`);

/** True when an environ block (NUL-separated NAME=value) names an exec session. Pure. */
export function isExecEnviron(environ: Buffer): boolean {
  return environ.indexOf(`${EXEC_ID_VAR}=`) === 0 || environ.indexOf(EXEC_MARK) !== -1;
}

/** What the sweep reads and signals; injectable for tests. */
export interface OrphanSweepDeps {
  scan(): readonly ProcEntry[];
  environ(pid: number): Buffer | undefined;
  kill(pid: number): void;
  /** True for a pod this runner holds (uid and pod directory): other runners' sessions are theirs. */
  ownsPod(uid: string, podDir: string): boolean;
  selfPid: number;
  log: Logger;
}

function readEnviron(procRoot: string, pid: number): Buffer | undefined {
  try {
    return readFileSync(`${procRoot}/${pid}/environ`);
  } catch {
    return undefined;
  }
}

/** The sweep's IO on the real /proc. */
export function procOrphanSweepDeps(
  table: { scan(): ProcEntry[]; readonly procRoot: string },
  ownsPod: OrphanSweepDeps['ownsPod'],
  log: Logger,
): OrphanSweepDeps {
  return {
    ownsPod,
    scan: () => table.scan(),
    environ: (pid) => readEnviron(table.procRoot, pid),
    kill: (pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    },
    selfPid: process.pid,
    log,
  };
}

/**
 * Kills what exec sessions of an earlier runner left: an exec'd command
 * lives only as long as its call, whose pipes died with that runner, so
 * nobody can read, feed or end it any more. Found by VK_CMD_EXEC_ID in
 * /proc/<pid>/environ (one read per live process, once at start), and only
 * in pods this runner holds (another runner on the host has its own).
 * Returns the number of processes killed.
 */
export function killOrphanedExecs(deps: OrphanSweepDeps): number {
  let killed = 0;
  for (const e of deps.scan()) {
    if (e.pid === deps.selfPid || !isLive(e)) continue;
    const environ = deps.environ(e.pid);
    if (!environ || !isExecEnviron(environ)) continue;
    const pod = parsePodIdentity(environ);
    if (!pod || !deps.ownsPod(pod.uid, pod.podDir)) continue;
    deps.kill(e.pid);
    killed++;
  }
  if (killed > 0) deps.log.info({ processes: killed }, "Killed exec'd processes an earlier runner left");
  return killed;
}
