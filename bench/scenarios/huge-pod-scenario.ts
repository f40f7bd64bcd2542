import type { ClientReadableStream } from '@grpc/grpc-js';
import type { WatchPodsEvent__Output } from '../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import { benchPod } from '../bench-pod.js';
import { CpuMeter } from '../cpu-budget.js';
import { readProcMemory, resetPeakRss } from '../proc-stats.js';
import { podKey, timesOf } from '../runner-pod-times.js';
import { valueRow } from '../report-rows.js';
import { waitFor } from '../wait-for.js';
import { runPacedLifecycle } from './latency-scenario.js';
import { waitForPods } from './pod-waits.js';
import { childPids, readStatusSync, stageRows, startCpuRows, statusSyncRows } from './huge-pod-stages.js';
import { CONTROL_PLANE } from './lifecycle-costs.js';

const HUGE_POD = 'huge-pod';

/**
 * A pod of N containers, each `sleep 3600`. Pure. The containers are named
 * c0000.. so the pod stays well inside the API server's object size limit.
 */
export function hugePod(
  nodeName: string,
  containers: number,
  viaScheduler: boolean,
): Record<string, unknown> {
  const pod = benchPod({
    name: HUGE_POD,
    scenario: 'hugepod',
    nodeName,
    command: ['sleep', '3600'],
    viaScheduler,
  });
  const spec = pod['spec'] as { containers: Array<Record<string, unknown>> };
  const template = spec.containers[0]!;
  spec.containers = Array.from({ length: containers }, (_, i) => ({
    ...template,
    name: `c${String(i).padStart(4, '0')}`,
  }));
  return pod;
}

/** Running containers of one pod as its runner reports them, and when the count first reached 1 and all. */
export interface ContainerCount {
  running: number;
  firstRunningMs?: number;
  allRunningMs?: number;
}

/** Folds one WatchPods event into the count for the pod `namespace/name` of `total` containers. Pure apart from mutating `count`. */
export function countRunning(
  count: ContainerCount,
  event: WatchPodsEvent__Output,
  target: { namespace: string; name: string; total: number },
  nowMs: number,
): boolean {
  const pod = event.pod;
  if (!pod || pod.namespace !== target.namespace || pod.name !== target.name) return false;
  if (event.type === 'WATCH_EVENT_TYPE_DELETED') return false;
  // Every container that has run counts: a container that has already exited was running too.
  count.running = pod.containerStatuses.filter((s) => s.state?.state !== 'waiting').length;
  if (count.running > 0) count.firstRunningMs ??= nowMs;
  if (count.running >= target.total) count.allRunningMs ??= nowMs;
  return true;
}

/**
 * The paced lifecycle of `--latency-pods` small pods at `--rate`, started as
 * soon as the runner reports the first container of one pod with
 * `--huge-pod-containers` containers running: a huge pod must not hold the
 * start path, so the small pods' rows are judged against the quiet targets.
 * No idle baseline (the huge pod is starting): the CPU rows are left out,
 * the event-loop delay rows kept. Adds create -> all N running, how many of
 * the N were running when the small pods' lifecycle ended, and the peak RSS
 * (VmHWM, reset before the create) of both processes.
 */
export async function runHugePodScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  const { flags, namespace } = ctx;
  const total = flags.hugePodContainers;
  const runnerPid = ctx.node.runner?.pid;
  const kubeletPid = ctx.node.kubelet?.pid;
  if (!runnerPid || !kubeletPid) throw new Error('the kubelet or runner process is not running');
  const peakReset = resetPeakRss(runnerPid) && resetPeakRss(kubeletPid);

  const count: ContainerCount = { running: 0 };
  const listeners = new Set<() => void>();
  const call: ClientReadableStream<WatchPodsEvent__Output> = ctx.runnerWatch.client.WatchPods({});
  let streamError: string | undefined;
  call.on('data', (event: WatchPodsEvent__Output) => {
    if (countRunning(count, event, { namespace, name: HUGE_POD, total }, Date.now()))
      for (const l of [...listeners]) l();
  });
  call.on('error', (err: Error) => (streamError ??= err.message));
  const subscribe = (l: () => void): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  const meter = new CpuMeter({
    runner: [runnerPid],
    launcher: childPids(runnerPid, 'vk-cmd-launcher'),
    kubelet: [kubeletPid],
    [CONTROL_PLANE]: Object.values(ctx.controlPlanePids),
  });
  try {
    const cpuStart = meter.mark();
    const createdMs = Date.now();
    await ctx.api.createPod(namespace, hugePod(ctx.node.nodeName, total, flags.viaScheduler));
    ctx.progress.start(`hugepod: first of ${total} containers running`, 0);
    const first = await waitFor(() => count.firstRunningMs !== undefined, subscribe, 120_000, {
      signal: ctx.signal,
    });
    ctx.progress.finish(first ? '' : 'timed out');
    if (!first) throw new Error(`hugepod: no container of the ${total}-container pod ran within 120 s`);

    const syncBefore = await readStatusSync(ctx);
    let small: { names: readonly string[]; created: ReadonlyMap<string, number> } | undefined;
    const lifecycle = await runPacedLifecycle(ctx, 'hugepod', flags.latencyPods, {
      idleBaseline: false,
      onCreated: (names, created) => (small = { names, created }),
    });
    const syncAfter = await readStatusSync(ctx);
    const runningAtEnd = count.running;
    ctx.progress.start(`hugepod: all ${total} containers running`, total);
    const all = await waitFor(() => count.allRunningMs !== undefined, subscribe, 600_000, {
      signal: ctx.signal,
      onCheck: () => ctx.progress.update(count.running),
    });
    ctx.progress.finish(all ? '' : 'timed out after 600 s');
    const cpuEnd = meter.mark();
    const peakMb = (pid: number): number => readProcMemory(pid).vmHwmKb / 1024;
    const runnerPeakMb = peakMb(runnerPid);
    const kubeletPeakMb = peakMb(kubeletPid);

    const deleteSentMs = Date.now();
    await ctx.api.deletePod(namespace, HUGE_POD);
    const gone = await waitForPods(
      ctx,
      'hugepod: waiting until the huge pod is deleted',
      [HUGE_POD],
      ['gone'],
      300_000,
    );
    const goneSeconds = (Date.now() - deleteSentMs) / 1000;

    const v = (name: string, label: string, value: number, unit: string) =>
      valueRow('hugepod', name, label, value, unit, flags);
    const peakLabel = peakReset ? 'since just before the create' : 'since the process started';
    if (small) {
      const byName = (field: 'receivedAtMs' | 'startedAtMs' | 'runningEventMs'): Map<string, number> => {
        const byKey = timesOf(ctx.runnerWatch.times, field);
        const out = new Map<string, number>();
        for (const n of small!.names) {
          const at = byKey.get(podKey(namespace, n));
          if (at !== undefined) out.set(n, at);
        }
        return out;
      };
      lifecycle.rows.push(
        ...stageRows(
          small.names,
          {
            created: small.created,
            runnerReceived: byName('receivedAtMs'),
            startSent: byName('startedAtMs'),
            runnerRunning: byName('runningEventMs'),
            apiRunning: ctx.timeline.times('running'),
          },
          flags,
        ),
      );
    }
    lifecycle.rows.push(...statusSyncRows(syncBefore, syncAfter, flags));
    const startCpu = meter.between(cpuStart, cpuEnd);
    lifecycle.rows.push(...startCpuRows(startCpu, flags));
    lifecycle.rows.push(
      v(
        'huge_pod_all_running_seconds',
        `huge pod: create -> all ${total} containers running (runner stream)`,
        count.allRunningMs !== undefined ? (count.allRunningMs - createdMs) / 1000 : Number.NaN,
        's',
      ),
      v(
        'huge_pod_running_at_lifecycle_end',
        `huge pod: containers running once the ${flags.latencyPods} small pods were gone`,
        runningAtEnd,
        '',
      ),
      v('huge_pod_delete_seconds', 'huge pod: delete -> object gone', goneSeconds, 's'),
      v('runner_rss_peak_mb', `runner peak RSS (VmHWM ${peakLabel})`, runnerPeakMb, 'MB'),
      v('kubelet_rss_peak_mb', `kubelet peak RSS (VmHWM ${peakLabel})`, kubeletPeakMb, 'MB'),
    );
    if (!all)
      lifecycle.warnings.push(`hugepod: only ${count.running} of ${total} containers ran within 600 s`);
    if (gone.timedOut) lifecycle.warnings.push('hugepod: the huge pod was not gone within 300 s');
    if (streamError) lifecycle.warnings.push(`hugepod: the runner stream broke: ${streamError}`);
    Object.assign(lifecycle.details, { hugePodContainers: total, peakRssReset: peakReset, startCpu });
    return lifecycle;
  } finally {
    call.cancel();
  }
}
