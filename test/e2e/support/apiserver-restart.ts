import { execFileSync, spawn } from 'node:child_process';
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
  const logFile = path.join(clusterDir, 'logs', 'kube-apiserver.log');
  const deadline = Date.now() + 90_000;
  const diagnostics: string[] = [];
  // The port can stay busy for a moment after the old process died; a new
  // process that exits at once (bind error) is started again.
  for (let attempt = 1; ; attempt++) {
    const log = openSync(logFile, 'a');
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log], cwd });
    child.unref();
    writeFileSync(pidFile, `${child.pid}\n`);
    let exited = false;
    child.once('exit', () => (exited = true));
    try {
      await eventually(
        async () => exited || (await probe()),
        Math.max(1_000, deadline - Date.now()),
        'apiserver answers again',
        250,
      );
    } catch {
      // falls through to the failure report below
    }
    if (!exited && (await probe())) return;
    diagnostics.push(`attempt ${attempt}: ${exited ? 'exited' : 'no answer'}; ${portOwners(argv)}`);
    if (!exited) child.kill('SIGKILL');
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const logTail = readFileSync(logFile, 'utf8').split('\n').slice(-30);
  throw new Error(`kube-apiserver did not come back:\n${diagnostics.join('\n')}\n${logTail.join('\n')}`);
}

/** Who holds the secure port, for a failure message. */
function portOwners(argv: string[]): string {
  const port = argv.find((a) => a.startsWith('--secure-port='))?.split('=')[1];
  if (!port) return 'no --secure-port';
  try {
    return execFileSync('ss', ['-tanp', `sport = :${port}`], { encoding: 'utf8' }).trim();
  } catch (err) {
    return `ss failed: ${(err as Error).message}`;
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
