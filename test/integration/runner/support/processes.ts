import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PodSpec } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { ProcessTable } from '../../../../src/runner/process/process-table.js';
export { pgidsUnder } from '../../../support/pgid-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../../../..');
export const RUNNER_BIN = path.join(REPO_ROOT, 'bin', 'vk-cmd-runner');

/**
 * How the tests start a runner process: bin/vk-cmd-runner under this
 * Node.js, or the launcher named by VK_CMD_TEST_RUNNER (e.g. the unpacked
 * release tarball's vk-cmd-runner), then with VK_CMD_TEST_RUNNER_PATH as
 * its PATH when that is set (`make test-dist` gives it one without node).
 */
export function runnerCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const launcher = process.env['VK_CMD_TEST_RUNNER'];
  if (!launcher) return { file: process.execPath, args: [RUNNER_BIN, ...args], env };
  const pathVar = process.env['VK_CMD_TEST_RUNNER_PATH'];
  return { file: launcher, args: [...args], env: pathVar === undefined ? env : { ...env, PATH: pathVar } };
}

/** Waits for a condition with a deadline, checking every `stepMs`. */
export async function eventually<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  stepMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A script whose daemon (double fork: setsid, parent gone) writes its pid to daemon.pid. */
export const DOUBLE_FORK_SCRIPT = "(setsid sh -c 'echo $$ > daemon.pid; exec sleep 300' &)\nexec sleep 300\n";

/** The pid a pod's process wrote to `file` in its container directory c1. */
export function pidFile(rootDir: string, spec: PodSpec, file: string): Promise<number> {
  const full = path.join(rootDir, spec.namespace!, spec.name!, 'containers', 'c1', file);
  return eventually(
    () => existsSync(full) && Number(readFileSync(full, 'utf8').trim()),
    10_000,
    `${spec.name}: ${file}`,
  );
}

/** Live, non-zombie members of a process group. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] !== 'Z' && Number(rest[2]) === pgid) members.push(Number(entry));
    } catch {
      // gone
    }
  }
  return members;
}

/** With VK_CMD_TEST_RUNNER, the runner process must be the Node.js shipped beside that launcher. */
export function checkLauncherUsed(pid: number): void {
  const launcher = process.env['VK_CMD_TEST_RUNNER'];
  if (!launcher) return;
  const exe = readlinkSync(`/proc/${pid}/exe`);
  const shipped = path.join(path.dirname(realpathSync(launcher)), 'bin', 'node');
  if (exe !== shipped) throw new Error(`runner pid ${pid} runs ${exe}, not ${shipped}`);
}

/**
 * Live processes (not zombies) whose environment says they belong to a pod
 * directory under `dir`, whatever their process group or parent.
 */
export function podProcessesUnder(dir: string): number[] {
  const table = new ProcessTable();
  return table
    .scan()
    .filter((e) => {
      const podDir = e.state === 'Z' ? undefined : table.readPodIdentity(e.pid)?.podDir;
      return podDir !== undefined && (podDir === dir || podDir.startsWith(`${dir}/`));
    })
    .map((e) => e.pid);
}

/** True while a process lives and is not a zombie. */
export function isAlive(pid: number): boolean {
  const e = new ProcessTable().read(pid);
  return e !== undefined && e.state !== 'Z';
}
