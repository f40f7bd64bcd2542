import type { ClusterContext } from '../bench-context.js';
import { benchPod } from '../bench-pod.js';
import { paced, pooled } from '../pacing.js';
import { podKey } from '../runner-pod-times.js';
import type { RunnerWatch } from '../runner-watch.js';
import { pairedDeltas } from '../stats.js';
import { Stamps, waitForPods } from './pod-waits.js';

const SCENARIO = 'fleet';

/** Latency samples: the deltas found, and how many pods had no end (or no start) time. */
export interface FleetLatency {
  values: number[];
  missing: number;
}

/** Pod i's node: spread round-robin, so each node gets a pod every nodes / rate seconds. Pure. */
export function nodeOfPod(i: number, nodes: readonly string[]): string {
  return nodes[i % nodes.length]!;
}

/**
 * `perNode` short pods (`sh -c 'sleep 1'`) on every node, created at
 * --rate pods/s spread round-robin over the nodes: create -> Running (the
 * API watch) and process exit (the runner's own record, from a WatchPods
 * stream on each runner's socket) -> Terminated (the API watch). Then all
 * are deleted at once and waited for.
 */
export async function pacedPodsOverNodes(
  ctx: ClusterContext,
  o: {
    roundId: string;
    suffix: string;
    nodes: readonly string[];
    perNode: number;
    watches: ReadonlyMap<string, RunnerWatch>;
    /** Called once every pod finished, before they are deleted (the RSS with pods is read then). */
    onFinished: () => void;
  },
): Promise<{ running: FleetLatency; exitToTerminated: FleetLatency; warnings: string[] }> {
  const { flags, namespace } = ctx;
  const total = o.nodes.length * o.perNode;
  const rate = flags.ratePerSecond;
  const podNames = Array.from({ length: total }, (_, i) => `fleet-${o.roundId}-${o.suffix}-${i}`);
  const created = new Stamps();
  const label = `${SCENARIO} ${o.roundId}`;
  ctx.progress.start(`${label}: creating ${total} pods at ${rate}/s over ${o.nodes.length} nodes`, total);
  const creates = await paced(
    total,
    rate,
    async (i) => {
      const name = podNames[i]!;
      created.set(name, Date.now());
      await ctx.api.createPod(
        namespace,
        benchPod({
          name,
          scenario: SCENARIO,
          nodeName: nodeOfPod(i, o.nodes),
          command: ['sh', '-c', 'sleep 1'],
          viaScheduler: false,
        }),
      );
      ctx.progress.update(
        created.size,
        `running ${ctx.timeline.countReached(podNames, ['running', 'terminated'])}`,
      );
    },
    { signal: ctx.signal },
  );
  ctx.progress.finish(creates.failed ? `${creates.failed} create requests failed` : '');
  const finished = await waitForPods(
    ctx,
    `${label}: pods to Succeeded`,
    podNames,
    ['succeeded', 'failed'],
    Math.max(120_000, total * 100),
  );
  o.onFinished();
  const exitedAt = new Map<string, number>();
  podNames.forEach((name, i) => {
    const at = o.watches.get(nodeOfPod(i, o.nodes))?.times.get(podKey(namespace, name))?.finishedAtMs;
    if (at !== undefined) exitedAt.set(name, at);
  });
  const t = ctx.timeline;
  const running = pairedDeltas(podNames, created.map, t.times('running'));
  const exitToTerminated = pairedDeltas(podNames, exitedAt, t.times('terminated'));
  await ctx.api.deletePodsByLabel(namespace, `vk-cmd.io/bench-scenario=${SCENARIO}`);
  await waitForPods(ctx, `${label}: pods gone`, podNames, ['gone'], Math.max(120_000, total * 100));
  const warnings: string[] = [];
  if (creates.failed) warnings.push(`${label}: ${creates.failed} creates failed (${creates.errors[0]})`);
  if (finished.timedOut) warnings.push(`${label}: only ${finished.reached} of ${total} pods finished`);
  const broken = [...o.watches.values()].filter((w) => w.streamError !== undefined).length;
  if (broken > 0) warnings.push(`${label}: ${broken} runner watches broke; their exit times are missing`);
  return { running, exitToTerminated, warnings };
}

/** One pod per node, all created at once: their create -> Running (`onRunning` once all are), then they are deleted. */
export async function podPerNode(
  ctx: ClusterContext,
  roundId: string,
  suffix: string,
  names: string[],
  onRunning: () => void,
): Promise<{ running: FleetLatency; warnings: string[] }> {
  const n = names.length;
  const podNames = names.map((_, i) => `fleet-${roundId}-${suffix}-${i}`);
  const created = new Stamps();
  const creates = await pooled(
    n,
    ctx.flags.concurrency,
    async (i) => {
      created.set(podNames[i]!, Date.now());
      await ctx.api.createPod(
        ctx.namespace,
        benchPod({
          name: podNames[i]!,
          scenario: SCENARIO,
          nodeName: names[i]!,
          command: ['sleep', '3600'],
          viaScheduler: false,
        }),
      );
    },
    { signal: ctx.signal },
  );
  const running = await waitForPods(
    ctx,
    `${SCENARIO} ${roundId}: a pod per node to Running`,
    podNames,
    ['running'],
    Math.max(180_000, n * 300),
  );
  onRunning();
  const runningAt = ctx.timeline.times('running');
  const latencies = podNames.flatMap((p) => {
    const at = runningAt.get(p);
    const from = created.map.get(p);
    return at !== undefined && from !== undefined ? [at - from] : [];
  });
  await ctx.api.deletePodsByLabel(ctx.namespace, `vk-cmd.io/bench-scenario=${SCENARIO}`);
  await waitForPods(ctx, `${SCENARIO} ${roundId}: pods gone`, podNames, ['gone'], Math.max(120_000, n * 200));
  const warnings: string[] = [];
  if (creates.failed)
    warnings.push(`${SCENARIO} ${roundId}: ${creates.failed} creates failed (${creates.errors[0]})`);
  if (running.timedOut) warnings.push(`${SCENARIO} ${roundId}: only ${running.reached} of ${n} pods Running`);
  return { running: { values: latencies, missing: n - latencies.length }, warnings };
}
