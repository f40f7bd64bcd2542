import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/*
 * A private vk-cmd-runner for the runner-only benchmarks (runner-cost,
 * runner-huge-pod): started as bin/vk-cmd-runner starts it, with the given
 * Node.js flags, on a unix socket in a work directory, and read from /proc.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../..');
const RUNNER_MAIN = path.join(REPO_ROOT, 'bin', 'vk-cmd-runner');
const TICK_MS = 10;

/** The Node.js flags bin/vk-cmd-runner starts the runner with. */
export { RUNNER_NODE_FLAGS } from '../test/e2e/support/launch-settings.js';

function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime of a process in ms; 0 when it is gone. */
export function cpuMs(pid: number): number {
  try {
    const f = statFields(pid);
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The runner's own children that are not pod process groups (a launcher), by pid. */
export function helperChildren(runnerPid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = statFields(Number(name));
      // ppid is field 4 (index 1), pgrp field 5 (index 2): pod leaders lead their own group.
      // vk-cmd-launcher leads its own session too and is told by its name.
      if (Number(f[1]) !== runnerPid) continue;
      const launcher = readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'vk-cmd-launcher';
      if (launcher || Number(f[2]) !== Number(name)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/** The 1, 5 and 15 min load averages, as /proc/loadavg gives them. */
export function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** How to start the runner. */
export interface RunnerStart {
  nodeFlags: readonly string[];
  /** The runner's entry file; absent: bin/vk-cmd-runner (a release's `lib/vk-cmd-runner.mjs`, say). */
  main?: string | undefined;
  /** Directory for .cpuprofile files; absent: no profile. */
  cpuProfDir?: string | undefined;
}

/**
 * Starts a runner on `<workDir>/sock/runner.sock` with its state under
 * `<workDir>/root` and its log in `<workDir>/runner.log`; resolves once it
 * says it is listening, rejects if it exits first.
 */
export async function startRunner(
  how: RunnerStart,
  workDir: string,
): Promise<{ child: ChildProcess; socket: string; rootDir: string }> {
  const socket = path.join(workDir, 'sock', 'runner.sock');
  const rootDir = path.join(workDir, 'root');
  mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  mkdirSync(rootDir, { recursive: true });
  const prof = how.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${how.cpuProfDir}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...how.nodeFlags,
      ...prof,
      how.main ?? RUNNER_MAIN,
      '--listen',
      `unix://${socket}`,
      '--root-dir',
      rootDir,
      '--v',
      '0',
    ],
    { stdio: ['ignore', 'pipe', openSync(path.join(workDir, 'runner.log'), 'a')] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`runner exited with ${code}`)));
  });
  return { child, socket, rootDir };
}

/** Stops a runner started by startRunner (SIGTERM) and waits for it to exit. */
export async function stopRunner(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The runner-only benchmarks' flags: `--name value` or `--name=value`, every
 * one a string (node:util.parseArgs, as decision 0005 chose for the
 * binaries); an unknown flag or a missing value throws, naming it.
 */
export function parseStringFlags<K extends string>(
  argv: string[],
  names: readonly K[],
): Partial<Record<K, string>> {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Partial<
    Record<K, string>
  >;
}

/**
 * A flag's positive number, a whole one for a count (or `fallback` when
 * absent); throws naming the flag otherwise.
 */
export function positiveFlag(raw: string | undefined, name: string, fallback: number, count = false): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0) || (count && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a positive ${count ? 'whole number' : 'number'}, not "${raw}"`);
  }
  return n;
}
