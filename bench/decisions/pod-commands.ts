/*
 * What a pod command costs each side: DeletePod as a unary call against the
 * same command as a message on PodCommands (bench/README.md, "Pod commands on
 * one stream"). A real runner (bin/vk-cmd-runner's flags, a unix socket) and a
 * client with the kubelet's Node.js flags and its code (unaryCall, the
 * kubelet's PodCommandStream) in a child process. The client sends COMMANDS
 * DeletePods of unknown UIDs (the command's own work is a map look-up, so
 * what remains is the transport), one every GAP_MS as a 20 pods/s lifecycle
 * spaces its two commands; the timer's own cost is subtracted from the
 * client's CPU, the runner's idle rate from the runner's. The two ways
 * alternate, `--rounds` times each.
 *
 *   node dist/bench/decisions/pod-commands.js [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { unaryCall } from '../../src/kubelet/runner/runner-calls.js';
import { createRunnerClient } from '../../src/kubelet/runner/runner-client.js';
import { PodCommandStream } from '../../src/kubelet/runner/pod-command-stream.js';
import type { DeletePodResponse__Output } from '../../src/generated/vkcmd/runner/v1/DeletePodResponse.js';
import { cpuMs, RUNNER_NODE_FLAGS, startRunner, stopRunner } from '../runner-process.js';
import { flagValue, KUBELET_NODE_FLAGS, loadAverage, runChild } from './measure-support.js';

const COMMANDS = 1_200;
const WARM_UP = 200;
const GAP_MS = 25;
const WAYS = ['unary', 'stream'] as const;
type Way = (typeof WAYS)[number];

interface Round {
  way: Way;
  clientUsPerCommand: number;
  runnerUsPerCommand: number;
}

const nap = (): Promise<void> => new Promise((r) => setTimeout(r, GAP_MS));

/** This process's CPU (us) per `fn`, each followed by the gap. */
async function cpuPer(fn: (i: number) => Promise<unknown>, n: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await fn(i);
    await nap();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** The child: one way, against the runner at `socket` (pid `runnerPid`). */
async function client(way: Way, socket: string, runnerPid: number): Promise<Round> {
  const runnerClient = createRunnerClient({ target: `unix://${socket}`, transport: 'unix', insecure: false });
  const unary = (uid: string): Promise<DeletePodResponse__Output> =>
    unaryCall<DeletePodResponse__Output>(
      (cb, deadline) => runnerClient.deletePod({ uid }, { deadline }, cb),
      new Date(Date.now() + 10_000),
    );
  const stream = new PodCommandStream(() => runnerClient.podCommands(), {
    createPod: () => Promise.reject(new Error('not used')),
    deletePod: (request) => unary(request.uid),
  });
  const command = (i: number): Promise<DeletePodResponse__Output> =>
    way === 'unary' ? unary(`none-${i}`) : stream.deletePod({ uid: `none-${i}` }, 10_000);
  try {
    await cpuPer(command, WARM_UP);
    const timerUs = await cpuPer(() => Promise.resolve(), WARM_UP);
    const runnerBefore = cpuMs(runnerPid);
    const t0 = Date.now();
    const clientUs = (await cpuPer(command, COMMANDS)) - timerUs;
    const elapsedMs = Date.now() - t0;
    const runnerIdle = await idleRateMsPerMs(runnerPid);
    const runnerMs = cpuMs(runnerPid) - runnerBefore - runnerIdle * elapsedMs;
    return { way, clientUsPerCommand: clientUs, runnerUsPerCommand: (1000 * runnerMs) / COMMANDS };
  } finally {
    stream.close();
    runnerClient.close();
  }
}

/** The runner's CPU per ms with nothing asked of it, over 3 s. */
async function idleRateMsPerMs(pid: number): Promise<number> {
  const before = cpuMs(pid);
  await new Promise((r) => setTimeout(r, 3_000));
  return (cpuMs(pid) - before) / 3_000;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--client') {
    const round = await client(process.argv[3] as Way, process.argv[4]!, Number(process.argv[5]));
    process.stdout.write(`${JSON.stringify(round)}\n`);
    return;
  }
  const rounds = Number(flagValue(process.argv, '--rounds', '3'));
  const workDir = mkdtempSync(`${os.tmpdir()}/vk-cmd-pod-commands-`);
  const { child, socket } = await startRunner({ nodeFlags: RUNNER_NODE_FLAGS }, workDir);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const way of WAYS) {
        const load = loadAverage();
        const round = await runChild<Round>(
          fileURLToPath(import.meta.url),
          ['--client', way, socket, String(child.pid)],
          KUBELET_NODE_FLAGS,
        );
        process.stdout.write(
          `load ${load}: ${way.padEnd(6)} client ${round.clientUsPerCommand.toFixed(0)} us, ` +
            `runner ${round.runnerUsPerCommand.toFixed(0)} us per command\n`,
        );
      }
    }
  } finally {
    await stopRunner(child);
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
