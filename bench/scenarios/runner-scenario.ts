import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import type { PodSpec } from '../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { VkNode } from '../../test/e2e/support/vk-node.js';
import type { BenchBase, ScenarioResult } from '../bench-context.js';
import { podNames } from '../bench-pod.js';
import { cpuProfFlags } from '../bench-setup.js';
import { paced } from '../pacing.js';
import { NORMAL_NICE } from '../priority.js';
import { readProcMemory } from '../proc-stats.js';
import { podCommands, type PodCommands } from '../runner-commands.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { podKey, timesOf } from '../runner-pod-times.js';
import { RunnerWatch } from '../runner-watch.js';
import { pairedDeltas } from '../stats.js';
import { waitFor } from '../wait-for.js';
import { batchWarnings } from './pod-waits.js';

const NAMESPACE = 'bench-runner';

/**
 * Runner only: pods sent straight to a private vk-cmd-runner over gRPC (no API
 * server, no kubelet), at the latency scenario's rate, as CreatePod and
 * DeletePod commands on one PodCommands stream like the kubelet's, timed from
 * the CreatePod command to the first running event and from the runner's own
 * finishedAt to the terminated event on a WatchPods stream; then deleted at
 * the same rate and timed until the DELETED event. Each pod sleeps until the last one has
 * started, so the runner's RSS is read with all of them running. Set against
 * the latency scenario, it splits each path between the runner and the tiers
 * above it.
 */
export async function runRunnerScenario(base: BenchBase): Promise<ScenarioResult> {
  const { flags, progress } = base;
  const count = flags.runnerPods;
  const rate = flags.ratePerSecond;
  // Only the runner half of the node is started; the kubeconfig fields are unused.
  const node = new VkNode({
    nodeName: 'bench-runner-only',
    kubeconfigPath: '',
    kc: new KubeConfig(),
    runnerArgs: ['--v', String(flags.logVerbosity)],
    nodeFlags: cpuProfFlags(flags.cpuProfDir),
  });
  let watch: RunnerWatch | undefined;
  let commands: PodCommands | undefined;
  try {
    await node.startRunner();
    // Started by a benchmark at nice -10, it would inherit it; vk-cmd runs at a user's priority.
    base.priorities.set('runner (runner scenario)', node.runner?.pid, NORMAL_NICE);
    watch = new RunnerWatch(node.socketPath);
    await watch.start();
    const w = watch;
    const names = podNames('run', count);
    const keys = names.map((n) => podKey(NAMESPACE, n));
    const uids = names.map(() => randomUUID());
    const called = new Map<string, number>();
    const answered = new Map<string, number>();
    const deleteCalled = new Map<string, number>();
    const send = (commands = podCommands(w.client, 'stream'));
    const reached = (field: 'terminatedEventMs' | 'deletedEventMs'): number =>
      keys.filter((k) => w.times.get(k)?.[field] !== undefined).length;
    const sleepSeconds = Math.ceil(count / rate) + 2;
    let rssAllRunningMb = Number.NaN;

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
    if (allStarted && reached('terminatedEventMs') === 0 && node.runner?.pid) {
      rssAllRunningMb = readProcMemory(node.runner.pid).vmRssKb / 1024;
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
        rssAllRunningMb,
        'MB',
        flags,
      ),
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
    commands?.close();
    watch?.stop();
    await node.stop();
  }
}
