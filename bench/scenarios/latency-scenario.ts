import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import type { ScenarioName } from '../bench-flags.js';
import { benchPod, podNames } from '../bench-pod.js';
import { paced } from '../pacing.js';
import { latencyRow, type ReportRow } from '../report-rows.js';
import { podKey, timesOf } from '../runner-pod-times.js';
import { pairedDeltas, summarize } from '../stats.js';
import { statusWriteGaps } from '../status-gaps.js';
import { waitFor } from '../wait-for.js';
import { costMeter, costRows, idleBaseline, readDelays } from './lifecycle-costs.js';
import { Stamps, batchWarnings, waitForPods } from './pod-waits.js';

/** The latency scenario: the paced lifecycle with --latency-pods. */
export function runLatencyScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  return runPacedLifecycle(ctx, 'latency', ctx.flags.latencyPods);
}

/**
 * Latency at a steady rate: N short pods (`sh -c 'sleep 1'`) created at R/s,
 * each timed from the create request to Running, Terminated and Succeeded as
 * first seen by the benchmark's pod watch; then deleted at the same rate and
 * timed until the object is gone. Runner events from a second WatchPods
 * stream split each path into the kubelet+runner part and the status-write part.
 * Around it: an idle baseline of the same length with no pods (unless
 * `options.idleBaseline` is false), then the CPU
 * of the runner, kubelet and control plane and the event-loop delay of the
 * runner and kubelet over the window from the first create to the last
 * DELETED event, for the per-pod cost rows.
 */
export async function runPacedLifecycle(
  ctx: ClusterContext,
  scenario: ScenarioName,
  count: number,
  options: {
    idleBaseline: boolean;
    /** Given the pods' names and create stamps (ms) before the rows are built, for more rows. */
    onCreated?: (names: readonly string[], created: ReadonlyMap<string, number>) => void;
  } = { idleBaseline: true },
): Promise<ScenarioResult> {
  const { flags, progress, namespace } = ctx;
  const rate = flags.ratePerSecond;
  const names = podNames(scenario.slice(0, 3), count);
  const created = new Stamps();
  const acked = new Stamps();
  const deleteSent = new Stamps();

  const meter = costMeter(ctx);
  // Creating and deleting take count / rate each; the pods run for a second.
  const baseline = options.idleBaseline
    ? await idleBaseline(ctx, meter, scenario, (2 * count) / rate + 2)
    : undefined;
  // Read outside the CPU window: a /metrics scrape is not a pod's cost.
  const delaysBefore = await readDelays(ctx);
  const cpuStart = meter.mark();

  progress.start(`${scenario}: creating ${count} pods at ${rate}/s`, count);
  const creates = await paced(
    count,
    rate,
    async (i) => {
      const name = names[i]!;
      const pod = benchPod({
        name,
        scenario,
        nodeName: ctx.node.nodeName,
        command: ['sh', '-c', 'sleep 1'],
        viaScheduler: flags.viaScheduler,
      });
      created.set(name, Date.now());
      await ctx.api.createPod(namespace, pod);
      acked.set(name, Date.now());
      progress.update(acked.size, `running ${ctx.timeline.countReached(names, ['running', 'terminated'])}`);
    },
    { signal: ctx.signal },
  );
  progress.finish(creates.failed ? `${creates.failed} create requests failed` : '');

  const finished = await waitForPods(
    ctx,
    `${scenario}: waiting for Succeeded`,
    names,
    ['succeeded', 'failed'],
    120_000,
  );

  progress.start(`${scenario}: deleting ${count} pods at ${rate}/s`, count);
  const deletes = await paced(
    count,
    rate,
    async (i) => {
      const name = names[i]!;
      deleteSent.set(name, Date.now());
      await ctx.api.deletePod(namespace, name);
      progress.update(deleteSent.size, `gone ${ctx.timeline.countReached(names, ['gone'])}`);
    },
    { signal: ctx.signal },
  );
  progress.finish(deletes.failed ? `${deletes.failed} delete requests failed` : '');
  const gone = await waitForPods(ctx, `${scenario}: waiting until deleted`, names, ['gone'], 120_000);
  // The kubelet may remove the object before the runner's DELETED event reaches this
  // process (it is sent after the pod directory is cleaned up); give those a moment.
  const keys = names.map((n) => podKey(namespace, n));
  const runnerDone = (): boolean =>
    keys.every((k) => ctx.runnerWatch.times.get(k)?.deletedEventMs !== undefined);
  await waitFor(runnerDone, (l) => ctx.runnerWatch.subscribe(l), 10_000, { signal: ctx.signal });
  const cpuEnd = meter.mark();
  const delaysAfter = await readDelays(ctx);
  options.onCreated?.(names, created.map);

  // Runner-side times are keyed namespace/name; re-key them by name.
  const runner = (field: Parameters<typeof timesOf>[1]): Map<string, number> => {
    const byKey = timesOf(ctx.runnerWatch.times, field);
    return new Map(
      names.flatMap((n) => (byKey.has(podKey(namespace, n)) ? [[n, byKey.get(podKey(namespace, n))!]] : [])),
    );
  };
  const exitedAt = runner('finishedAtMs');
  const runnerRunning = runner('runningEventMs');
  const runnerTerminated = runner('terminatedEventMs');
  const runnerDeleted = runner('deletedEventMs');
  const t = ctx.timeline;
  const row = (
    name: string,
    label: string,
    from: ReadonlyMap<string, number>,
    to: ReadonlyMap<string, number>,
  ) => latencyRow(scenario, name, label, pairedDeltas(names, from, to), flags);
  const gaps = statusWriteGaps(
    names,
    { running: runnerRunning, terminated: runnerTerminated },
    { running: t.times('running'), terminated: t.times('terminated') },
  );
  const costs = costRows(scenario, flags, {
    pods: count,
    baseline: baseline ?? {},
    scenario: meter.between(cpuStart, cpuEnd),
    delaysBefore,
    delaysAfter,
  });

  const rows: ReportRow[] = [
    row('create_to_running', 'create -> container Running (API watch)', created.map, t.times('running')),
    row('exit_to_terminated', 'process exit -> Terminated (API watch)', exitedAt, t.times('terminated')),
    row('create_to_succeeded', 'create -> Succeeded (API watch)', created.map, t.times('succeeded')),
    row('delete_to_gone', 'delete -> pod object gone', deleteSent.map, t.times('gone')),
    row('create_rtt', '  create request round trip', created.map, acked.map),
    row('create_to_runner_running', '  create -> runner running event', created.map, runnerRunning),
    row('runner_running_to_api', '  runner running event -> API Running', runnerRunning, t.times('running')),
    row('exit_to_runner_terminated', '  process exit -> runner terminated event', exitedAt, runnerTerminated),
    row(
      'runner_terminated_to_api',
      '  runner terminated event -> API Terminated',
      runnerTerminated,
      t.times('terminated'),
    ),
    row('delete_to_runner_deleted', '  delete -> runner DELETED event', deleteSent.map, runnerDeleted),
    row(
      'runner_deleted_to_gone',
      '  runner DELETED event -> pod object gone (< 0: object first)',
      runnerDeleted,
      t.times('gone'),
    ),
    latencyRow(
      scenario,
      'status_due_gap',
      'longest a due status waits: runner transition -> same on API watch',
      gaps.all,
      flags,
    ),
    // Without a baseline the CPU rows would be the whole node's, not the pods': keep only the delays.
    ...(baseline ? costs.rows : costs.rows.filter((r) => r.id.includes('event_loop_delay'))),
  ];
  const failedPods = names.filter((n) => t.times('failed').has(n)).length;
  return {
    rows,
    warnings: [
      ...batchWarnings(scenario, count, creates, deletes, failedPods, finished, gone),
      ...costs.warnings,
      ...laggingRunnerStream(scenario, gaps.all.values),
    ],
    details: {
      pods: count,
      ratePerSecond: rate,
      createRequestsFailed: creates.failed,
      createErrors: creates.errors,
      deleteRequestsFailed: deletes.failed,
      deleteErrors: deletes.errors,
      podsFailed: failedPods,
      finishedWithinTimeout: !finished.timedOut,
      goneWithinTimeout: !gone.timedOut,
      runnerWatchError: ctx.runnerWatch.streamError ?? null,
      // The row holds every gap; these tell the two kinds of transition apart.
      statusDueGapMs: {
        running: { ...summarize(gaps.running.values), missing: gaps.running.missing },
        terminated: { ...summarize(gaps.terminated.values), missing: gaps.terminated.missing },
      },
      ...costs.details,
    },
  };
}

/**
 * A warning when many transitions reached the API watch well before the
 * benchmark's runner stream showed them (the kubelet learnt them first, e.g.
 * from a CreatePod answer, or that stream lagged on a starved machine): the
 * status-wait row counts from the stream, so it then understates. Pure.
 */
export function laggingRunnerStream(scenario: string, gapsMs: readonly number[]): string[] {
  const early = gapsMs.filter((g) => g < -50).length;
  if (early === 0 || early < 0.05 * gapsMs.length) return [];
  return [
    `${scenario}: ${early} of ${gapsMs.length} transitions reached the API watch more than 50 ms before ` +
      `the benchmark's runner stream showed them; the status-wait row counts from that stream and understates`,
  ];
}
