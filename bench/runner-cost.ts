import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PodSpec } from '../src/generated/vkcmd/runner/v1/PodSpec.js';
import { paced } from './pacing.js';
import { readProcMemory } from './proc-stats.js';
import { podCommands, type CommandWay, type PodCommands } from './runner-commands.js';
import { podKey, timesOf } from './runner-pod-times.js';
import {
  cpuMs,
  helperChildren,
  loadavg,
  parseStringFlags,
  positiveFlag,
  RUNNER_NODE_FLAGS,
  startRunner,
  stopRunner,
} from './runner-process.js';
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
 *   node dist/bench/runner-cost.js --pods 200 --rate 20 [--cpu-prof DIR] [--node-flags="..."] [--runner-main FILE]
 *     [--commands stream|unary]
 *
 * --commands: CreatePod and DeletePod as messages on one PodCommands stream,
 * as the kubelet sends them (the default), or as a unary call each (grpcurl's
 * way, and the kubelet's before decision 0019).
 * --runner-main runs another entry file (a release's lib/vk-cmd-runner.mjs)
 * on the Node.js that runs this script.
 */

interface Flags {
  pods: number;
  rate: number;
  cpuProfDir: string | undefined;
  nodeFlags: string[];
  idleSeconds: number;
  runnerMain: string | undefined;
  commands: CommandWay;
}

function parseFlags(argv: string[]): Flags {
  const raw = parseStringFlags(argv, [
    'pods',
    'rate',
    'cpu-prof',
    'node-flags',
    'idle-seconds',
    'runner-main',
    'commands',
  ]);
  if (raw.commands !== undefined && raw.commands !== 'stream' && raw.commands !== 'unary') {
    throw new Error(`--commands must be stream or unary, not "${raw.commands}"`);
  }
  return {
    pods: positiveFlag(raw.pods, 'pods', 200, true),
    rate: positiveFlag(raw.rate, 'rate', 20),
    cpuProfDir: raw['cpu-prof'] === undefined ? undefined : path.resolve(raw['cpu-prof']),
    nodeFlags:
      raw['node-flags'] === undefined ? [...RUNNER_NODE_FLAGS] : raw['node-flags'].split(' ').filter(Boolean),
    idleSeconds: positiveFlag(raw['idle-seconds'], 'idle-seconds', 3),
    runnerMain: raw['runner-main'] === undefined ? undefined : path.resolve(raw['runner-main']),
    commands: raw.commands ?? 'stream',
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-runner-cost-'));
  const { child, socket } = await startRunner(
    { nodeFlags: flags.nodeFlags, cpuProfDir: flags.cpuProfDir, main: flags.runnerMain },
    workDir,
  );
  const pid = child.pid!;
  const watch = new RunnerWatch(socket);
  let commands: PodCommands | undefined;
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
    commands = podCommands(w.client, flags.commands);
    const send = commands;
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
      await send.createPod(spec);
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
      await send.deletePod(uids[i]!);
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
      commands: flags.commands,
      ...(flags.runnerMain ? { runnerMain: flags.runnerMain } : {}),
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
    commands?.close();
    watch.stop();
    await stopRunner(child);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`runner-cost: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
