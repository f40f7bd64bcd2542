import { randomUUID } from 'node:crypto';
import type { PodSpec } from '../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { BenchBase, ScenarioResult } from '../bench-context.js';
import { podNames } from '../bench-pod.js';
import { paced } from '../pacing.js';
import { readProcMemory } from '../proc-stats.js';
import { startRunnerOnly } from '../runner-only.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { podKey, timesOf } from '../runner-pod-times.js';
import { pairedDeltas } from '../stats.js';
import { waitFor } from '../wait-for.js';
import { batchWarnings } from './pod-waits.js';
import { rssPartRows, rssParts, type RssParts } from './steady-rss.js';

const NAMESPACE = 'bench-runner';

/**
 * Runner only: pods sent straight to a private vk-cmd-runner over gRPC (no API
 * server, no kubelet), at the latency scenario's rate, as CreatePod and
 * DeletePod commands on one PodCommands stream like the kubelet's, timed from
 * the CreatePod command to the first running event and from the runner's own
 * finishedAt to the terminated event on a WatchPods stream; then deleted at
 * the same rate and timed until the DELETED event. Each pod sleeps until the
 * last one has started, so the runner's RSS is read with all of them running. Set against
 * the latency scenario, it splits each path between the runner and the tiers
 * above it.
 */
export async function runRunnerScenario(base: BenchBase): Promise<ScenarioResult> {
  const { flags, progress } = base;
  const count = flags.runnerPods;
  const rate = flags.ratePerSecond;
  const runner = await startRunnerOnly(base, 'bench-runner-only');
  try {
    const w = runner.watch;
    const send = runner.commands;
    const names = podNames('run', count);
    const keys = names.map((n) => podKey(NAMESPACE, n));
    const uids = names.map(() => randomUUID());
    const called = new Map<string, number>();
    const answered = new Map<string, number>();
    const deleteCalled = new Map<string, number>();
    const reached = (field: 'terminatedEventMs' | 'deletedEventMs'): number =>
      keys.filter((k) => w.times.get(k)?.[field] !== undefined).length;
    const sleepSeconds = Math.ceil(count / rate) + 2;
    let rssAllRunning: RssParts | undefined;

    progress.start(`runner: CreatePod x${count} at ${rate}/s`, count);
    const creates = await paced(
      count,
      rate,
      async (i) => {
        const spec: PodSpec = {
          uid: uids[i]!,
          namespace: NAMESPACE,
          name: names[i]!,
          restartPolicy: 'Never',
          containers: [{ name: 'c1', image: 'bench', command: ['sleep', String(sleepSeconds)] }],
        };
        called.set(keys[i]!, Date.now());
        await send.createPod(spec);
        answered.set(keys[i]!, Date.now());
        progress.update(answered.size);
      },
      { signal: base.signal },
    );
    progress.finish();
    // Started, or ended without a running event: either way nothing more to wait for.
    const allStarted = await waitFor(
      () =>
        keys.every(
          (k) => (w.times.get(k)?.runningEventMs ?? w.times.get(k)?.terminatedEventMs) !== undefined,
        ),
      (l) => w.subscribe(l),
      60_000,
      { signal: base.signal },
    );
    if (allStarted && reached('terminatedEventMs') === 0) {
      rssAllRunning = rssParts(readProcMemory(runner.pid));
    }
    progress.start('runner: waiting for terminated events', count);
    const finished = await waitFor(
      () => reached('terminatedEventMs') === count,
      (l) => w.subscribe(l),
      120_000,
      {
        signal: base.signal,
        onCheck: () => progress.update(reached('terminatedEventMs')),
      },
    );
    progress.finish();

    progress.start(`runner: DeletePod x${count} at ${rate}/s`, count);
    const deletes = await paced(
      count,
      rate,
      async (i) => {
        deleteCalled.set(keys[i]!, Date.now());
        await send.deletePod(uids[i]!);
        progress.update(deleteCalled.size);
      },
      { signal: base.signal },
    );
    progress.finish();
    progress.start('runner: waiting for DELETED events', count);
    const gone = await waitFor(
      () => reached('deletedEventMs') === count,
      (l) => w.subscribe(l),
      120_000,
      {
        signal: base.signal,
        onCheck: () => progress.update(reached('deletedEventMs')),
      },
    );
    progress.finish();

    const row = (
      name: string,
      label: string,
      from: ReadonlyMap<string, number>,
      to: ReadonlyMap<string, number>,
    ) => latencyRow('runner', name, label, pairedDeltas(keys, from, to), flags);
    const rows: ReportRow[] = [
      row('create_to_running', 'CreatePod call -> running event', called, timesOf(w.times, 'runningEventMs')),
      row(
        'exit_to_terminated',
        'process exit -> terminated event',
        timesOf(w.times, 'finishedAtMs'),
        timesOf(w.times, 'terminatedEventMs'),
      ),
      row('create_rtt', '  CreatePod round trip', called, answered),
      row(
        'delete_to_deleted',
        'DeletePod call -> DELETED event',
        deleteCalled,
        timesOf(w.times, 'deletedEventMs'),
      ),
      valueRow(
        'runner',
        'rss_all_running_mb',
        `runner RSS with ${count} pods running`,
        rssAllRunning?.rssMb ?? Number.NaN,
        'MB',
        flags,
      ),
      ...rssPartRows('runner', 'rss_all_running', rssAllRunning, flags),
    ];
    return {
      rows,
      warnings: [
        ...batchWarnings(
          'runner',
          count,
          creates,
          deletes,
          0,
          { reached: reached('terminatedEventMs'), timedOut: !finished },
          { reached: reached('deletedEventMs'), timedOut: !gone },
        ),
        ...(w.streamError ? [`runner: the WatchPods stream broke: ${w.streamError}`] : []),
      ],
      details: {
        pods: count,
        ratePerSecond: rate,
        createCallsFailed: creates.failed,
        deleteCallsFailed: deletes.failed,
      },
    };
  } finally {
    await runner.stop();
  }
}
