/**
 * Runner latency benchmark: starts the real bin/vk-cmd-runner on a unix
 * socket in a temp dir, creates N pods (each sleeps, then records its own
 * exit time and exits) and measures, from a WatchPods stream:
 *   - CreatePod call start -> first event showing the container running
 *   - process exit (time the script recorded just before exiting) -> terminated event
 *   - the runner's own finishedAt -> terminated event (runner-side delay only)
 * plus the runner's RSS while every pod runs.
 *
 * Usage: node dist/bench/runner/runner-latency.js [--pods 200] [--rate 50] [--sleep-s N]
 *   --rate: pods created per second (0 = all at once)
 *   --sleep-s: how long each pod runs (default: long enough for all to overlap)
 *   BENCH_RUNNER_NODE_ARGS: node flags for the runner on top of bin/vk-cmd-runner's own
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadRunnerProto } from '../../src/common/proto.js';
import type { Pod__Output } from '../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { WatchPodsEvent__Output } from '../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { percentileOfSorted } from '../stats.js';
import { RUNNER_NODE_FLAGS } from '../../test/e2e/support/vk-node.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function percentile(values: number[], p: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

function peakMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function main(): Promise<void> {
  const pods = flag('pods', 200);
  const rate = flag('rate', 50);
  // Long enough that every pod is running at once when RSS is sampled.
  const sleepS = flag('sleep-s', rate > 0 ? Math.max(3, Math.ceil(pods / rate) + 2) : 3);
  const work = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-bench-'));
  const root = path.join(work, 'root');
  const socket = path.join(work, 'sock', 'runner.sock');
  mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  const runner = spawn(
    process.execPath,
    [
      ...RUNNER_NODE_FLAGS,
      ...(process.env['BENCH_RUNNER_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
      path.join(repoRoot, 'bin', 'vk-cmd-runner'),
      '--listen',
      `unix://${socket}`,
      '--root-dir',
      root,
      '--v',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let banner = '';
  runner.stdout!.on('data', (d: Buffer) => (banner += d.toString()));
  try {
    await until(() => banner.includes('listening on') && existsSync(socket), 20_000, 'runner');
    const { grpcType } = loadRunnerProto();
    const client = new grpcType.vkcmd.runner.v1.Runner(`unix://${socket}`, grpc.credentials.createInsecure());
    const runningAt = new Map<string, number>();
    const terminatedAt = new Map<string, { receivedMs: number; finishedMs: number }>();
    const watch = client.WatchPods({});
    watch.on('data', (e: WatchPodsEvent__Output) => {
      const now = Date.now();
      const pod: Pod__Output | null = e.pod;
      const s = pod?.containerStatuses[0]?.state;
      if (!pod || !s) return;
      if (s.state === 'running' && !runningAt.has(pod.uid)) runningAt.set(pod.uid, now);
      if (s.state === 'terminated' && !terminatedAt.has(pod.uid)) {
        terminatedAt.set(pod.uid, { receivedMs: now, finishedMs: Number(s.terminated!.finishedAtMs) });
      }
    });
    watch.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));

    const callStart = new Map<string, number>();
    const specs: PodSpec[] = Array.from({ length: pods }, (_, i) => ({
      uid: `bench-${i}`,
      namespace: 'bench',
      name: `p${i}`,
      containers: [
        {
          name: 'c1',
          image: 'script',
          command: ['/bin/sh'],
          volumeMounts: [{ name: 'script', mountPath: 'job' }],
        },
      ],
      volumes: [
        {
          name: 'script',
          configMap: { data: { 'run.sh': Buffer.from(`sleep ${sleepS}\ndate +%s%3N > exited_at\n`) } },
        },
      ],
    }));
    const creates: Array<Promise<void>> = [];
    const t0 = Date.now();
    for (const [i, spec] of specs.entries()) {
      if (rate > 0) {
        const due = t0 + (i * 1000) / rate;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      callStart.set(spec.uid!, Date.now());
      creates.push(
        new Promise((resolve, reject) =>
          client.CreatePod({ pod: spec }, (err) => (err ? reject(err) : resolve())),
        ),
      );
    }
    await Promise.all(creates);
    await until(() => runningAt.size === pods, 60_000, 'all running');
    const rssWithPods = rssMb(runner.pid!);
    const runningNow = specs.filter((s) => !terminatedAt.has(s.uid!)).length;
    await until(() => terminatedAt.size === pods, 120_000, 'all terminated');

    const createToRunning = specs.map((s) => runningAt.get(s.uid!)! - callStart.get(s.uid!)!);
    const exitToEvent: number[] = [];
    const finishToEvent: number[] = [];
    for (const s of specs) {
      const t = terminatedAt.get(s.uid!)!;
      const file = path.join(root, 'bench', s.name!, 'containers', 'c1', 'exited_at');
      const exitedMs = Number(readFileSync(file, 'utf8').trim());
      exitToEvent.push(t.receivedMs - exitedMs);
      finishToEvent.push(t.receivedMs - t.finishedMs);
    }
    const row = (name: string, values: number[], target: string): string =>
      `${name.padEnd(44)} ${percentile(values, 50).toFixed(1).padStart(8)} ${percentile(values, 99).toFixed(1).padStart(8)} ${Math.max(
        ...values,
      )
        .toFixed(1)
        .padStart(8)}   ${target}`;
    console.log(
      `vk-cmd runner latency: ${pods} pods, ${rate > 0 ? `${rate} pods/s` : 'all at once'}, each sleeps ${sleepS} s`,
    );
    console.log(
      `${'row'.padEnd(44)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}   target`,
    );
    console.log(row('CreatePod call -> running event', createToRunning, 'p99 <= 50 ms'));
    console.log(row('process exit -> terminated event', exitToEvent, 'p99 <= 100 ms'));
    console.log(row('runner finishedAt -> terminated event', finishToEvent, '(runner-side part)'));
    console.log(
      `runner RSS with ${runningNow} of ${pods} pods running: ${rssWithPods.toFixed(1)} MB, peak ${peakMb(runner.pid!).toFixed(1)} MB   (target <= 100 MB at 1000 pods)`,
    );
    watch.cancel();
    client.close();
  } finally {
    runner.kill('SIGTERM');
    await new Promise((r) => runner.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
