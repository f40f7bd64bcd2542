import { randomUUID } from 'node:crypto';
import type { PodSpec } from '../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { BenchBase, ScenarioResult } from '../bench-context.js';
import { podNames } from '../bench-pod.js';
import { pooled, type BatchOutcome } from '../pacing.js';
import { clockTicksPerSecond, readCpuTicks } from '../proc-stats.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { cpuMsPerCall, mbPerSecond } from '../runner-figures.js';
import { createRunningPods, startRunnerOnly } from '../runner-only.js';
import { execOnce, portForwardEcho, startEchoServer } from '../runner-streams.js';

const NAMESPACE = 'bench-exec';
const PARALLEL_EXECS = 8;
const ECHO_BYTES = 64 * 1024;

/**
 * Runner only: `--exec-pods` pods sleeping for an hour on a private runner;
 * `--exec-calls` Exec calls of `true` (stdout on) spread over them round
 * robin, first one at a time, then 8 at a time, each timed from writing
 * `start` to the `exit` message; the runner's CPU (utime+stime, its own
 * process, not the commands') per call over each batch. Then PortForward to
 * an echo server in the benchmark: `--forward-connections` connections one at
 * a time, each echoing 64 KiB (round trip from the call's start to its end),
 * and one `--forward-mib` transfer echoed back (MB/s one way).
 */
export async function runExecScenario(base: BenchBase): Promise<ScenarioResult> {
  const { flags, progress } = base;
  const runner = await startRunnerOnly(base, 'bench-exec-only');
  const echo = await startEchoServer();
  try {
    const names = podNames('exec', flags.execPods);
    const uids = names.map(() => randomUUID());
    const specs: PodSpec[] = names.map((name, i) => ({
      uid: uids[i]!,
      namespace: NAMESPACE,
      name,
      restartPolicy: 'Never',
      containers: [{ name: 'c1', image: 'bench', command: ['sleep', '3600'] }],
    }));
    const started = await createRunningPods(base, runner, specs, flags.ratePerSecond);
    if (!started.allRunning) throw new Error(`exec: not all ${flags.execPods} pods reached running`);
    const ticksPerSecond = clockTicksPerSecond();
    const cpuMs = (): number => (readCpuTicks(runner.pid) * 1000) / ticksPerSecond;

    const execBatch = async (
      parallel: number,
    ): Promise<{ latencies: number[]; outcome: BatchOutcome; cpuMs: number; nonZero: number }> => {
      const latencies: number[] = [];
      let nonZero = 0;
      progress.start(`exec: Exec true x${flags.execCalls}, ${parallel} at a time`, flags.execCalls);
      const before = cpuMs();
      const outcome = await pooled(
        flags.execCalls,
        parallel,
        async (i) => {
          const t = await execOnce(runner.watch.client, uids[i % uids.length]!, 'c1', ['true']);
          latencies.push(t.latencyMs);
          if (t.exitCode !== 0) nonZero++;
          progress.update(latencies.length);
        },
        { signal: base.signal },
      );
      const used = cpuMs() - before;
      progress.finish();
      return { latencies, outcome, cpuMs: used, nonZero };
    };
    const sequential = await execBatch(1);
    const parallel = await execBatch(PARALLEL_EXECS);

    progress.start(`exec: PortForward x${flags.forwardConnections}, 64 KiB each`, flags.forwardConnections);
    const roundTrips: number[] = [];
    const forwardBefore = cpuMs();
    const forwards = await pooled(
      flags.forwardConnections,
      1,
      async (i) => {
        const r = await portForwardEcho(runner.watch.client, uids[i % uids.length]!, echo.port, ECHO_BYTES);
        roundTrips.push(r.ms);
        progress.update(roundTrips.length);
      },
      { signal: base.signal },
    );
    const forwardCpuMs = cpuMs() - forwardBefore;
    progress.finish();
    progress.start(`exec: PortForward one ${flags.forwardMib} MiB transfer`);
    const bulkBytes = flags.forwardMib * 2 ** 20;
    const bulkBefore = cpuMs();
    const bulk = await portForwardEcho(runner.watch.client, uids[0]!, echo.port, bulkBytes);
    const bulkCpuMs = cpuMs() - bulkBefore;
    progress.finish();

    const n = flags.execCalls;
    const rows: ReportRow[] = [
      latencyRow(
        'exec',
        'exec_sequential',
        `Exec true: start -> exit message, 1 at a time (${flags.execPods} pods)`,
        { values: sequential.latencies, missing: n - sequential.latencies.length },
        flags,
      ),
      latencyRow(
        'exec',
        'exec_parallel',
        `Exec true: start -> exit message, ${PARALLEL_EXECS} at a time`,
        { values: parallel.latencies, missing: n - parallel.latencies.length },
        flags,
      ),
      valueRow(
        'exec',
        'exec_cpu_ms_sequential',
        '  runner CPU per Exec, 1 at a time (own process, not the command)',
        cpuMsPerCall(sequential.cpuMs, sequential.latencies.length),
        'ms',
        flags,
      ),
      valueRow(
        'exec',
        'exec_cpu_ms_parallel',
        `  runner CPU per Exec, ${PARALLEL_EXECS} at a time`,
        cpuMsPerCall(parallel.cpuMs, parallel.latencies.length),
        'ms',
        flags,
      ),
      latencyRow(
        'exec',
        'forward_64k_round_trip',
        'PortForward: 64 KiB echoed, call start -> end, 1 at a time',
        { values: roundTrips, missing: flags.forwardConnections - roundTrips.length },
        flags,
      ),
      valueRow(
        'exec',
        'forward_cpu_ms',
        '  runner CPU per 64 KiB PortForward connection',
        cpuMsPerCall(forwardCpuMs, roundTrips.length),
        'ms',
        flags,
      ),
      valueRow(
        'exec',
        'forward_bulk_mb_per_s',
        `PortForward: one ${flags.forwardMib} MiB transfer echoed, MB/s one way`,
        mbPerSecond(bulk.bytes, bulk.ms),
        'MB/s',
        flags,
      ),
    ];
    const warnings: string[] = [];
    for (const [what, o] of [
      ['sequential Exec calls', sequential.outcome],
      ['parallel Exec calls', parallel.outcome],
      ['PortForward connections', forwards],
    ] as const) {
      if (o.failed) warnings.push(`exec: ${o.failed} ${what} failed: ${o.errors.join('; ')}`);
    }
    const nonZero = sequential.nonZero + parallel.nonZero;
    if (nonZero) warnings.push(`exec: ${nonZero} Exec calls of true exited non-zero`);
    return {
      rows,
      warnings,
      details: {
        pods: flags.execPods,
        execCalls: n,
        parallel: PARALLEL_EXECS,
        runnerCpuMs: {
          sequential: sequential.cpuMs,
          parallel: parallel.cpuMs,
          forward: forwardCpuMs,
          bulk: bulkCpuMs,
        },
        bulk: { bytes: bulk.bytes, ms: bulk.ms },
      },
    };
  } finally {
    await echo.close();
    await runner.stop();
  }
}
