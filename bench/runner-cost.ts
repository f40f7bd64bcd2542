import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PodSpec } from '../src/generated/vkcmd/runner/v1/PodSpec.js';
import { paced } from './pacing.js';
import { readProcMemory } from './proc-stats.js';
import { podKey, timesOf } from './runner-pod-times.js';
import { RunnerWatch } from './runner-watch.js';
import { pairedDeltas, summarize } from './stats.js';
import { waitFor } from './wait-for.js';

/*
 * Runner cost per pod lifecycle, measured from /proc: starts a private
 * vk-cmd-runner (as bin/vk-cmd-runner does, with its Node.js flags), measures
 * its idle CPU, then sends --pods pods (each `sleep` until the last one has
 * started) at --rate over gRPC, waits until all ran and exited, deletes them
 * at the same rate and waits for every DELETED event. CPU is utime+stime of
 * the runner and of its own child processes that are not pods (a launcher),
 * minus the idle rate over the same time, divided by the pods. Prints one
 * JSON line with the load average beside every figure.
 *
 *   node dist/bench/runner-cost.js --pods 200 --rate 20 [--cpu-prof DIR] [--node-flags "..."]
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../..');
const RUNNER_MAIN = path.join(REPO_ROOT, 'bin', 'vk-cmd-runner');
const TICK_MS = 10;

interface Flags {
  pods: number;
  rate: number;
  cpuProfDir: string | undefined;
  nodeFlags: string[];
  idleSeconds: number;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    pods: 200,
    rate: 20,
    cpuProfDir: undefined,
    nodeFlags: ['--max-semi-space-size=2', '--optimize-for-size'],
    idleSeconds: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--pods':
        flags.pods = Number(value());
        break;
      case '--rate':
        flags.rate = Number(value());
        break;
      case '--cpu-prof':
        flags.cpuProfDir = path.resolve(value());
        break;
      case '--node-flags':
        flags.nodeFlags = value().split(' ').filter(Boolean);
        break;
      case '--idle-seconds':
        flags.idleSeconds = Number(value());
        break;
      default:
        throw new Error(`unknown flag ${argv[i]}`);
    }
  }
  return flags;
}

function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime of a process in ms; 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const f = statFields(pid);
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The runner's own children that are not pod process groups (a launcher), by pid. */
function helperChildren(runnerPid: number): number[] {
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

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function startRunner(
  flags: Flags,
  workDir: string,
): Promise<{ child: ChildProcess; socket: string; rootDir: string }> {
  const socket = path.join(workDir, 'sock', 'runner.sock');
  const rootDir = path.join(workDir, 'root');
  mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  mkdirSync(rootDir, { recursive: true });
  const prof = flags.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${flags.cpuProfDir}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...flags.nodeFlags,
      ...prof,
      RUNNER_MAIN,
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

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-runner-cost-'));
  const { child, socket, rootDir } = await startRunner(flags, workDir);
  const pid = child.pid!;
  const watch = new RunnerWatch(socket);
  try {
    await watch.start();
    await new Promise((r) => setTimeout(r, 1_000));
    const helpers = helperChildren(pid);
    const cpuOf = (): { runner: number; helpers: number } => ({
      runner: cpuMs(pid),
      helpers: helpers.reduce((sum, h) => sum + cpuMs(h), 0),
    });
    const idleStart = cpuOf();
    const idleT0 = Date.now();
    await new Promise((r) => setTimeout(r, flags.idleSeconds * 1_000));
    const idleEnd = cpuOf();
    const idleMs = Date.now() - idleT0;
    const idleRate = {
      runner: (idleEnd.runner - idleStart.runner) / idleMs,
      helpers: (idleEnd.helpers - idleStart.helpers) / idleMs,
    };

    const loadBefore = loadavg();
    const names = Array.from({ length: flags.pods }, (_, i) => `cost-${i}`);
    const keys = names.map((n) => podKey('bench-cost', n));
    const uids = names.map(() => randomUUID());
    const called = new Map<string, number>();
    const deleteCalled = new Map<string, number>();
    const sleepSeconds = Math.ceil(flags.pods / flags.rate) + 2;
    const w = watch;
    const reached = (field: 'runningEventMs' | 'terminatedEventMs' | 'deletedEventMs'): number =>
      keys.filter((k) => w.times.get(k)?.[field] !== undefined).length;
    const t0 = Date.now();
    const before = cpuOf();
    await paced(flags.pods, flags.rate, async (i) => {
      const spec: PodSpec = {
        uid: uids[i]!,
        namespace: 'bench-cost',
        name: names[i]!,
        restartPolicy: 'Never',
        containers: [{ name: 'c1', image: 'bench', command: ['sleep', String(sleepSeconds)] }],
      };
      called.set(keys[i]!, Date.now());
      await new Promise<void>((resolve, reject) =>
        w.client.CreatePod({ pod: spec }, (err) => (err ? reject(err) : resolve())),
      );
    });
    await waitFor(
      () => reached('runningEventMs') + reached('terminatedEventMs') >= flags.pods,
      (l) => w.subscribe(l),
      120_000,
    );
    const rssAllRunningMb = readProcMemory(pid).vmRssKb / 1024;
    const helperRssMb = helpers.reduce((sum, h) => {
      try {
        return sum + readProcMemory(h).vmRssKb / 1024;
      } catch {
        return sum;
      }
    }, 0);
    await waitFor(
      () => reached('terminatedEventMs') === flags.pods,
      (l) => w.subscribe(l),
      180_000,
    );
    await paced(flags.pods, flags.rate, async (i) => {
      deleteCalled.set(keys[i]!, Date.now());
      await new Promise<void>((resolve, reject) =>
        w.client.DeletePod({ uid: uids[i]! }, (err) => (err ? reject(err) : resolve())),
      );
    });
    await waitFor(
      () => reached('deletedEventMs') === flags.pods,
      (l) => w.subscribe(l),
      180_000,
    );
    const after = cpuOf();
    const busyMs = Date.now() - t0;
    const loadAfter = loadavg();
    const perPod = (which: 'runner' | 'helpers'): number =>
      (after[which] - before[which] - idleRate[which] * busyMs) / flags.pods;
    const lat = (from: ReadonlyMap<string, number>, to: ReadonlyMap<string, number>) => {
      const s = summarize(pairedDeltas(keys, from, to).values);
      return { p50: Math.round(s.p50), p99: Math.round(s.p99), max: Math.round(s.max) };
    };
    const result = {
      pods: flags.pods,
      rate: flags.rate,
      nodeFlags: flags.nodeFlags.join(' '),
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
      busySeconds: +(busyMs / 1000).toFixed(1),
      idleCpuMsPerSecond: {
        runner: +(idleRate.runner * 1000).toFixed(2),
        helpers: +(idleRate.helpers * 1000).toFixed(2),
      },
      cpuMsPerPod: {
        runner: +perPod('runner').toFixed(2),
        helpers: +perPod('helpers').toFixed(2),
        total: +(perPod('runner') + perPod('helpers')).toFixed(2),
      },
      rssAllRunningMb: { runner: +rssAllRunningMb.toFixed(1), helpers: +helperRssMb.toFixed(1) },
      createToRunningMs: lat(called, timesOf(w.times, 'runningEventMs')),
      exitToTerminatedMs: lat(timesOf(w.times, 'finishedAtMs'), timesOf(w.times, 'terminatedEventMs')),
      deleteToDeletedMs: lat(deleteCalled, timesOf(w.times, 'deletedEventMs')),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    watch.stop();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(workDir, { recursive: true, force: true });
    void rootDir;
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`runner-cost: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
