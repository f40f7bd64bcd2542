import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import { podNames } from '../bench-pod.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { pairedDeltas } from '../stats.js';
import { Stamps, batchWarnings, createAll, deleteAll, waitForPods } from './pod-waits.js';

/**
 * Burst throughput: N pods running `true`, created as fast as the API server
 * accepts them (`concurrency` requests in flight), then all deleted the same
 * way. Times run from the first request of each batch to the last pod reaching
 * the state, as seen by the benchmark's pod watch.
 */
export async function runBurstScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  const { flags, progress } = ctx;
  const count = flags.burstPods;
  const names = podNames('burst', count);
  const created = new Stamps();

  const createStartMs = Date.now();
  const creates = await createAll(
    ctx,
    `burst: creating ${count} pods, ${flags.concurrency} in flight`,
    names,
    {
      scenario: 'burst',
      command: ['true'],
      milestone: 'succeeded',
      created,
    },
  );
  const createsDoneMs = Date.now();
  progress.finish();
  const finished = await waitForPods(
    ctx,
    'burst: waiting for Succeeded',
    names,
    ['succeeded', 'failed'],
    300_000,
  );
  const lastFinishedMs = latest(names, [ctx.timeline.times('succeeded'), ctx.timeline.times('failed')]);

  const deleteStartMs = Date.now();
  const deletes = await deleteAll(
    ctx,
    `burst: deleting ${count} pods, ${flags.concurrency} in flight`,
    names,
  );
  const deletesDoneMs = Date.now();
  progress.finish();
  const gone = await waitForPods(ctx, 'burst: waiting until deleted', names, ['gone'], 300_000);
  const lastGoneMs = latest(names, [ctx.timeline.times('gone')]);

  // A wait that timed out has no "all done" time: NaN shows as "-" and misses its target.
  const runSeconds = finished.timedOut ? Number.NaN : (lastFinishedMs - createStartMs) / 1000;
  const deleteSeconds = gone.timedOut ? Number.NaN : (lastGoneMs - deleteStartMs) / 1000;
  const podsFailed = names.filter((n) => ctx.timeline.times('failed').has(n)).length;
  const v = (name: string, label: string, value: number, unit: string) =>
    valueRow('burst', name, label, value, unit, flags);
  const rows: ReportRow[] = [
    v(
      'create_requests_seconds',
      `${count} create requests accepted`,
      (createsDoneMs - createStartMs) / 1000,
      's',
    ),
    v('run_seconds', 'first create -> all Succeeded', runSeconds, 's'),
    v('run_pods_per_second', '  created and run', count / runSeconds, 'pods/s'),
    v(
      'delete_requests_seconds',
      `${count} delete requests accepted`,
      (deletesDoneMs - deleteStartMs) / 1000,
      's',
    ),
    v('delete_seconds', 'first delete -> all gone', deleteSeconds, 's'),
    v('delete_pods_per_second', '  deleted', count / deleteSeconds, 'pods/s'),
    v('total_seconds', `${count} pods created, run and deleted`, runSeconds + deleteSeconds, 's'),
    latencyRow(
      'burst',
      'create_to_succeeded',
      'create -> Succeeded, per pod (queueing included)',
      pairedDeltas(names, created.map, ctx.timeline.times('succeeded')),
      flags,
    ),
  ];
  return {
    rows,
    warnings: batchWarnings('burst', count, creates, deletes, podsFailed, finished, gone),
    details: {
      pods: count,
      concurrency: flags.concurrency,
      createRequestsFailed: creates.failed,
      deleteRequestsFailed: deletes.failed,
      podsFailed,
      finishedWithinTimeout: !finished.timedOut,
      goneWithinTimeout: !gone.timedOut,
    },
  };
}

/** The latest first-sighting among `names` across the maps; NaN when none was seen. */
function latest(names: readonly string[], maps: ReadonlyArray<ReadonlyMap<string, number>>): number {
  let max = Number.NaN;
  for (const name of names) {
    for (const m of maps) {
      const t = m.get(name);
      if (t !== undefined && !(t <= max)) max = t;
    }
  }
  return max;
}
