import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PodSpec } from '../src/generated/vkcmd/runner/v1/PodSpec.js';
import { paced } from './pacing.js';
import { readProcMemory, resetPeakRss } from './proc-stats.js';
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
import { countRunning, type ContainerCount } from './scenarios/huge-pod-scenario.js';
import { pairedDeltas, summarize } from './stats.js';
import { waitFor } from './wait-for.js';

/*
 * The `hugepod` scenario's runner tier alone: a private vk-cmd-runner (no API
 * server, no kubelet) gets one pod of --containers (1000) containers, each
 * `sleep 3600`; as soon as it reports the first of them running, --pods
 * (200) small pods running `sleep 1` are sent at --rate (20/s). Reports the
 * small pods' stages inside the runner (CreatePod arrived -> start sent to
 * the launcher, start sent -> running event), CreatePod call -> running
 * event, exit -> terminated event, create -> all N running, how many of the
 * N ran while the small pods started, the runner's peak RSS (VmHWM reset
 * before the create) and CPU, with the load average. Without the tiers above
 * the runner, a regression of its start queue shows on its own.
 *
 *   node dist/bench/runner-huge-pod.js [--containers 1000] [--pods 200] [--rate 20] [--cpu-prof DIR]
 */

interface Flags {
  containers: number;
  pods: number;
  rate: number;
  cpuProfDir: string | undefined;
}

function parseFlags(argv: string[]): Flags {
  const raw = parseStringFlags(argv, ['containers', 'pods', 'rate', 'cpu-prof']);
  return {
    containers: positiveFlag(raw.containers, 'containers', 1000, true),
    pods: positiveFlag(raw.pods, 'pods', 200, true),
    rate: positiveFlag(raw.rate, 'rate', 20),
    cpuProfDir: raw['cpu-prof'] === undefined ? undefined : path.resolve(raw['cpu-prof']),
  };
}

const NAMESPACE = 'bench-huge';

/** waitFor that fails the run on its timeout, naming what did not happen. */
async function mustWait(
  what: string,
  condition: () => boolean,
  watch: RunnerWatch,
  timeoutMs: number,
): Promise<void> {
  if (!(await waitFor(condition, (l) => watch.subscribe(l), timeoutMs))) {
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${what}${watch.streamError ? ` (${watch.streamError})` : ''}`,
    );
  }
}

function call(fn: (cb: (err: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-runner-huge-'));
  const { child, socket } = await startRunner(
    { nodeFlags: RUNNER_NODE_FLAGS, cpuProfDir: flags.cpuProfDir },
    workDir,
  );
  const pid = child.pid!;
  const huge: ContainerCount = { running: 0 };
  const target = { namespace: NAMESPACE, name: 'huge-pod', total: flags.containers };
  const watch = new RunnerWatch(socket, Date.now, (event, nowMs) => countRunning(huge, event, target, nowMs));
  try {
    await watch.start();
    const cpuOf = (): number => cpuMs(pid) + helperChildren(pid).reduce((sum, h) => sum + cpuMs(h), 0);
    const loadBefore = loadavg();
    resetPeakRss(pid);
    const cpuBefore = cpuOf();
    const hugeUid = randomUUID();
    const hugeCreated = Date.now();
    await call((cb) =>
      watch.client.CreatePod(
        {
          pod: {
            uid: hugeUid,
            namespace: NAMESPACE,
            name: target.name,
            restartPolicy: 'Never',
            containers: Array.from({ length: flags.containers }, (_, i) => ({
              name: `c${String(i).padStart(4, '0')}`,
              image: 'bench',
              command: ['sleep', '3600'],
            })),
          },
        },
        cb,
      ),
    );
    await mustWait(
      "the huge pod's first container running",
      () => huge.firstRunningMs !== undefined,
      watch,
      120_000,
    );

    const names = Array.from({ length: flags.pods }, (_, i) => `small-${i}`);
    const keys = names.map((n) => podKey(NAMESPACE, n));
    const uids = names.map(() => randomUUID());
    const called = new Map<string, number>();
    const reached = (field: 'runningEventMs' | 'terminatedEventMs' | 'deletedEventMs'): number =>
      keys.filter((k) => watch.times.get(k)?.[field] !== undefined).length;
    await paced(flags.pods, flags.rate, async (i) => {
      const spec: PodSpec = {
        uid: uids[i]!,
        namespace: NAMESPACE,
        name: names[i]!,
        restartPolicy: 'Never',
        containers: [{ name: 'c1', image: 'bench', command: ['sleep', '1'] }],
      };
      called.set(keys[i]!, Date.now());
      await call((cb) => watch.client.CreatePod({ pod: spec }, cb));
    });
    await mustWait(
      'every small pod terminated',
      () => reached('terminatedEventMs') === flags.pods,
      watch,
      300_000,
    );
    const hugeRunningAtSmallEnd = huge.running;
    await mustWait('every huge pod container running', () => huge.allRunningMs !== undefined, watch, 600_000);
    const cpuAllRunning = cpuOf();
    const peakRssMb = readProcMemory(pid).vmHwmKb / 1024;
    const loadAfter = loadavg();

    for (const uid of [...uids, hugeUid]) await call((cb) => watch.client.DeletePod({ uid }, cb));
    await mustWait('every small pod deleted', () => reached('deletedEventMs') === flags.pods, watch, 300_000);
    // The runner leaves groups running when it stops (restart safety): the huge pod must be gone first.
    const hugeKey = podKey(NAMESPACE, target.name);
    await mustWait(
      'the huge pod deleted',
      () => watch.times.get(hugeKey)?.deletedEventMs !== undefined,
      watch,
      300_000,
    );

    const lat = (from: ReadonlyMap<string, number>, to: ReadonlyMap<string, number>) => {
      const s = summarize(pairedDeltas(keys, from, to).values);
      return { p50: Math.round(s.p50), p99: Math.round(s.p99), max: Math.round(s.max) };
    };
    const received = timesOf(watch.times, 'receivedAtMs');
    const startSent = timesOf(watch.times, 'startedAtMs');
    const runningEvent = timesOf(watch.times, 'runningEventMs');
    const result = {
      containers: flags.containers,
      pods: flags.pods,
      rate: flags.rate,
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
      smallCreateToRunningMs: lat(called, runningEvent),
      stageReceivedToStartSentMs: lat(received, startSent),
      stageStartSentToRunningEventMs: lat(startSent, runningEvent),
      smallExitToTerminatedMs: lat(
        timesOf(watch.times, 'finishedAtMs'),
        timesOf(watch.times, 'terminatedEventMs'),
      ),
      hugeCreateToAllRunningMs: huge.allRunningMs! - hugeCreated,
      hugeRunningWhenSmallDone: hugeRunningAtSmallEnd,
      runnerPeakRssMb: +peakRssMb.toFixed(1),
      runnerCpuSecondsToAllRunning: +((cpuAllRunning - cpuBefore) / 1000).toFixed(2),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    watch.stop();
    await stopRunner(child);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`runner-huge-pod: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
