import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PodSpec } from '../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { ProbeCounter__Output } from '../../src/generated/vkcmd/runner/v1/ProbeCounter.js';
import type { WatchPodsEvent__Output } from '../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import type { BenchBase, ScenarioResult } from '../bench-context.js';
import type { CpuWindow } from '../cpu-budget.js';
import { podNames } from '../bench-pod.js';
import { clockTicksPerSecond, readCpuTicks, readProcMemory } from '../proc-stats.js';
import { latencyRow, valueRow } from '../report-rows.js';
import { noteReady, probeCost, probeRunsOf } from '../runner-figures.js';
import { createRunningPods, startRunnerOnly, type RunnerOnly } from '../runner-only.js';
import { podKey } from '../runner-pod-times.js';
import { startOkServer } from '../runner-streams.js';
import { pairedDeltas } from '../stats.js';
import { waitFor } from '../wait-for.js';
import { latencyBeside, launcherPidOf, ticksOrZero } from './probe-latency.js';

const NAMESPACE = 'bench-probes';
/** Time the runner is left alone after its pods settle, before a CPU window opens. */
const SETTLE_MS = 2_000;

/**
 * One CPU window of the runner: utime+stime over `seconds`, and its RSS at
 * the end; its launcher's (which forks exec probes for it) alongside.
 */
async function cpuWindow(
  base: BenchBase,
  runner: RunnerOnly,
  seconds: number,
  label: string,
): Promise<CpuWindow & { rssMb: number; launcherCpuMs: number; loadAvg: string }> {
  const ticksPerSecond = clockTicksPerSecond();
  const launcher = launcherPidOf(runner.pid);
  base.progress.start(`probes: ${label}, ${seconds} s window`);
  const t0 = performance.now();
  const before = readCpuTicks(runner.pid);
  const launcherBefore = ticksOrZero(launcher);
  await sleep(seconds * 1000, undefined, { signal: base.signal });
  const after = readCpuTicks(runner.pid);
  const launcherAfter = ticksOrZero(launcher);
  const elapsedSeconds = (performance.now() - t0) / 1000;
  base.progress.finish();
  return {
    cpuMs: ((after - before) * 1000) / ticksPerSecond,
    seconds: elapsedSeconds,
    rssMb: readProcMemory(runner.pid).vmRssKb / 1024,
    launcherCpuMs: ((launcherAfter - launcherBefore) * 1000) / ticksPerSecond,
    loadAvg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

function probeMetrics(runner: RunnerOnly): Promise<ProbeCounter__Output[]> {
  return new Promise((resolve, reject) =>
    runner.watch.client.GetProbeMetrics({}, (err, value) =>
      err || !value ? reject(err) : resolve(value.counters),
    ),
  );
}

/** Ticks the runner's probes dropped without a run (ProbeCounter.skipped), summed. */
function skippedTicksOf(counters: readonly ProbeCounter__Output[]): number {
  return counters.reduce((sum, c) => sum + Number(c.skipped), 0);
}

/** `count` pods sleeping an hour; with probes, an exec readiness and an httpGet liveness probe every second. */
function specsFor(prefix: string, count: number, withProbes: boolean, httpPort: number): PodSpec[] {
  return podNames(prefix, count).map((name) => ({
    uid: randomUUID(),
    namespace: NAMESPACE,
    name,
    restartPolicy: 'Never',
    containers: [
      {
        name: 'c1',
        image: 'bench',
        command: ['sleep', '3600'],
        ...(!withProbes
          ? {}
          : {
              readinessProbe: { handler: { exec: { command: ['true'] } }, periodSeconds: 1 },
              livenessProbe: { handler: { httpGet: { port: httpPort, path: '/healthz' } }, periodSeconds: 1 },
            }),
      },
    ],
  }));
}

/**
 * Runner only, two private runners one after the other, each with
 * `--probe-pods` pods running `sleep 3600`: first without probes (the idle
 * window), then with a readinessProbe exec `true` and a livenessProbe httpGet
 * to an HTTP server in the benchmark, both every second. Times CreatePod ->
 * first event showing the container ready; then, over `--probe-seconds`, the
 * runner's CPU share, CPU per probe run (GetProbeMetrics counters) and RSS.
 * The probe cost is the difference from the idle window of the same pods;
 * the launcher's CPU (it forks the exec probes) is read over the same
 * windows. After each window, `--runner-pods` short pods are created at the
 * latency scenario's rate on that runner (probes still running on the
 * second) and timed create -> running and exit -> terminated, so the rows
 * with and without probes come from the same bench run.
 */
export async function runProbesScenario(base: BenchBase): Promise<ScenarioResult> {
  const { flags } = base;
  const count = flags.probePods;
  // As many short pods as the runner scenario times, created at the same rate.
  const latencyPods = flags.runnerPods;
  const http = await startOkServer();
  const warnings: string[] = [];
  try {
    const idleRunner = await startRunnerOnly(base, 'bench-probes-idle');
    let idle: Awaited<ReturnType<typeof cpuWindow>>;
    let idleLatency: Awaited<ReturnType<typeof latencyBeside>>;
    try {
      const s = await createRunningPods(
        base,
        idleRunner,
        specsFor('idle', count, false, http.port),
        flags.ratePerSecond,
      );
      if (!s.allRunning) throw new Error(`probes: not all ${count} pods without probes reached running`);
      await sleep(SETTLE_MS, undefined, { signal: base.signal });
      idle = await cpuWindow(base, idleRunner, flags.probeSeconds, `${count} pods, no probes`);
      idleLatency = await latencyBeside(
        base,
        idleRunner,
        'idle',
        latencyPods,
        `beside ${count} pods without probes`,
      );
    } finally {
      await idleRunner.stop();
    }

    const runner = await startRunnerOnly(base, 'bench-probes');
    try {
      const readyAt = new Map<string, number>();
      const listeners = new Set<() => void>();
      const readyCall = runner.watch.client.WatchPods({});
      readyCall.on('data', (event: WatchPodsEvent__Output) => {
        if (noteReady(readyAt, event, Date.now()) !== undefined) for (const l of [...listeners]) l();
      });
      readyCall.on('error', () => undefined);
      try {
        const specs = specsFor('probe', count, true, http.port);
        const keys = specs.map((p) => podKey(NAMESPACE, p.name ?? ''));
        const s = await createRunningPods(base, runner, specs, flags.ratePerSecond);
        base.progress.start('probes: waiting for ready', count);
        const allReady = await waitFor(
          () => readyAt.size >= count,
          (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
          },
          120_000,
          { signal: base.signal, onCheck: () => base.progress.update(readyAt.size) },
        );
        base.progress.finish();
        if (!s.allRunning || !allReady)
          warnings.push(`probes: ${readyAt.size} of ${count} pods became ready`);
        await sleep(SETTLE_MS, undefined, { signal: base.signal });
        const countersBefore = await probeMetrics(runner);
        const httpBefore = http.requests();
        const probed = await cpuWindow(base, runner, flags.probeSeconds, `${count} pods with probes`);
        const countersAfter = await probeMetrics(runner);
        const runs = probeRunsOf(countersAfter) - probeRunsOf(countersBefore);
        const skipped = skippedTicksOf(countersAfter) - skippedTicksOf(countersBefore);
        const cost = probeCost(probed, idle, runs);
        const probedLatency = await latencyBeside(
          base,
          runner,
          'probed',
          latencyPods,
          `beside ${count} pods with probes`,
        );
        warnings.push(...idleLatency.warnings, ...probedLatency.warnings);
        const launcherMsPerRun = runs > 0 ? probed.launcherCpuMs / runs : Number.NaN;
        const rows = [
          latencyRow(
            'probes',
            'create_to_ready',
            `CreatePod call -> ready event (exec + httpGet probes, period 1 s, ${count} pods)`,
            pairedDeltas(keys, s.called, readyAt),
            flags,
          ),
          valueRow(
            'probes',
            'runner_cpu_percent_with_probes',
            `runner CPU, ${count} pods with probes (% of a core)`,
            cost.withProbesPercent,
            '%',
            flags,
          ),
          valueRow(
            'probes',
            'runner_cpu_percent_idle',
            `runner CPU, the same ${count} pods without probes (idle window)`,
            cost.idlePercent,
            '%',
            flags,
          ),
          valueRow(
            'probes',
            'runner_cpu_percent_probes',
            '  probe cost = with probes - without (% of a core)',
            cost.probesPercent,
            '%',
            flags,
          ),
          valueRow(
            'probes',
            'cpu_ms_per_probe_run',
            '  runner CPU per probe run, idle rate taken off (not the command)',
            cost.cpuMsPerRun,
            'ms',
            flags,
          ),
          valueRow(
            'probes',
            'launcher_cpu_ms_per_probe_run',
            '  launcher CPU per probe run (it forks the exec probes; 0 without it)',
            launcherMsPerRun,
            'ms',
            flags,
          ),
          valueRow(
            'probes',
            'probe_runs_per_s',
            '  probe runs per second (GetProbeMetrics)',
            cost.runsPerSecond,
            '/s',
            flags,
          ),
          valueRow(
            'probes',
            'probe_ticks_skipped_per_s',
            '  probe ticks dropped without a run, per second (runner behind)',
            skipped / probed.seconds,
            '/s',
            flags,
          ),
          valueRow(
            'probes',
            'runner_rss_probes_mb',
            `runner RSS, ${count} pods with probes`,
            probed.rssMb,
            'MB',
            flags,
          ),
          valueRow(
            'probes',
            'runner_rss_idle_mb',
            `runner RSS, ${count} pods without probes`,
            idle.rssMb,
            'MB',
            flags,
          ),
          ...idleLatency.rows,
          ...probedLatency.rows,
        ];
        return {
          rows,
          warnings,
          details: {
            pods: count,
            windowSeconds: flags.probeSeconds,
            idle,
            probed,
            probeRuns: runs,
            probeTicksSkipped: skipped,
            httpRequestsInWindow: http.requests() - httpBefore,
            cost,
            launcherCpuMsPerRun: launcherMsPerRun,
            asked: { probeRunsPerSecond: count * 2 },
          },
        };
      } finally {
        readyCall.cancel();
      }
    } finally {
      await runner.stop();
    }
  } finally {
    await http.close();
  }
}
