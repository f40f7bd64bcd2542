import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from './wait.js';

/**
 * Restarts the test cluster's kube-apiserver with the command line and
 * environment it was started with (read from /proc), and records the new pid
 * where cluster-down.sh looks for it.
 */
export async function restartApiserver(clusterDir: string, probe: () => Promise<boolean>): Promise<void> {
  const pidFile = path.join(clusterDir, 'pids', 'kube-apiserver.pid');
  if (!existsSync(pidFile)) throw new Error(`no ${pidFile}`);
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  process.kill(pid, 'SIGKILL');
  await eventually(() => !existsSync(`/proc/${pid}`) || isZombie(pid), 10_000, 'old apiserver gone');
  const log = openSync(path.join(clusterDir, 'logs', 'kube-apiserver.log'), 'a');
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log], cwd });
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  try {
    await eventually(probe, 60_000, 'apiserver answers again', 250);
  } catch (err) {
    const logTail = readFileSync(path.join(clusterDir, 'logs', 'kube-apiserver.log'), 'utf8')
      .split('\n')
      .slice(-30);
    throw new Error(`${(err as Error).message}\n${logTail.join('\n')}`, { cause: err });
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}
