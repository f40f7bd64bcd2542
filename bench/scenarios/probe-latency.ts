import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { PodSpec } from '../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { BenchBase } from '../bench-context.js';
import { podNames } from '../bench-pod.js';
import { readCpuTicks } from '../proc-stats.js';
import { latencyRow, type LatencyRow } from '../report-rows.js';
import { createRunningPods, type RunnerOnly } from '../runner-only.js';
import { podKey, timesOf } from '../runner-pod-times.js';
import { pairedDeltas } from '../stats.js';
import { waitFor } from '../wait-for.js';

/*
 * The probes scenario's latency rows: while a runner holds its pods (with
 * probes, or the same pods without), `count` more short pods are created
 * at the latency scenario's rate and timed from CreatePod to their running
 * event and from their process exit (the runner's finishedAt) to their
 * terminated event, as the runner scenario times them.
 */

const NAMESPACE = 'bench-probes-latency';

/** create -> running and exit -> terminated rows of `count` short pods created on `runner` now. */
export async function latencyBeside(
  base: BenchBase,
  runner: RunnerOnly,
  prefix: string,
  count: number,
  what: string,
): Promise<{ rows: LatencyRow[]; warnings: string[] }> {
  const rate = base.flags.ratePerSecond;
  const sleepSeconds = Math.ceil(count / rate) + 2;
  const specs: PodSpec[] = podNames(prefix, count).map((name) => ({
    uid: randomUUID(),
    namespace: NAMESPACE,
    name,
    restartPolicy: 'Never',
    containers: [{ name: 'c1', image: 'bench', command: ['sleep', String(sleepSeconds)] }],
  }));
  const keys = specs.map((s) => podKey(NAMESPACE, s.name ?? ''));
  const w = runner.watch;
  const s = await createRunningPods(base, runner, specs, rate);
  const terminated = (): number => keys.filter((k) => w.times.get(k)?.terminatedEventMs !== undefined).length;
  base.progress.start(`${runner.node.nodeName}: waiting for terminated events`, count);
  const finished = await waitFor(
    () => terminated() === count,
    (l) => w.subscribe(l),
    120_000,
    { signal: base.signal, onCheck: () => base.progress.update(terminated()) },
  );
  base.progress.finish();
  const warnings: string[] = [];
  if (!s.allRunning || !finished)
    warnings.push(`probes: ${terminated()} of ${count} latency pods (${what}) terminated`);
  const rows = [
    latencyRow(
      'probes',
      `create_to_running_${prefix}`,
      `CreatePod call -> running event, ${count} pods at ${rate}/s ${what}`,
      pairedDeltas(keys, s.called, timesOf(w.times, 'runningEventMs')),
      base.flags,
    ),
    latencyRow(
      'probes',
      `exit_to_terminated_${prefix}`,
      `process exit -> terminated event, the same pods ${what}`,
      pairedDeltas(keys, timesOf(w.times, 'finishedAtMs'), timesOf(w.times, 'terminatedEventMs')),
      base.flags,
    ),
  ];
  return { rows, warnings };
}

/** The runner's vk-cmd-launcher (its child, told by its name), if it has one. */
export function launcherPidOf(runnerPid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== runnerPid) continue;
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'vk-cmd-launcher') return Number(name);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** CPU ticks of a process, 0 when there is none (no launcher) or it is gone. */
export function ticksOrZero(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return readCpuTicks(pid);
  } catch {
    return 0;
  }
}
