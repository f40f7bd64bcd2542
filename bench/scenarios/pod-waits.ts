import type { ClusterContext } from '../bench-context.js';
import { SCENARIO_LABEL, benchPod } from '../bench-pod.js';
import { pooled, type BatchOutcome } from '../pacing.js';
import type { Milestone } from '../pod-timeline.js';
import { waitFor } from '../wait-for.js';

/**
 * Waits, with a progress line, until every pod in `names` has reached one of
 * `milestones` in the API watch. Resolves with how many did (all of them,
 * unless `timeoutMs` ran out first). Rejects only on abort.
 */
export async function waitForPods(
  ctx: ClusterContext,
  label: string,
  names: readonly string[],
  milestones: readonly Milestone[],
  timeoutMs: number,
): Promise<WaitOutcome> {
  const count = (): number => ctx.timeline.countReached(names, milestones);
  ctx.progress.start(label, names.length);
  const ok = await waitFor(
    () => count() === names.length,
    (l) => ctx.timeline.subscribe(l),
    timeoutMs,
    {
      signal: ctx.signal,
      onCheck: () => ctx.progress.update(count()),
    },
  );
  const reached = count();
  ctx.progress.finish(ok ? '' : `timed out after ${Math.round(timeoutMs / 1000)} s`);
  return { reached, timedOut: !ok };
}

/**
 * Sends one request per name with `--concurrency` in flight, showing how many
 * pods reached `milestone`; the caller finishes the progress line.
 */
function batch(
  ctx: ClusterContext,
  label: string,
  names: readonly string[],
  milestone: Milestone,
  send: (name: string) => Promise<void>,
): Promise<BatchOutcome> {
  ctx.progress.start(label, names.length);
  let sent = 0;
  return pooled(
    names.length,
    ctx.flags.concurrency,
    async (i) => {
      await send(names[i]!);
      ctx.progress.update(++sent, `${milestone} ${ctx.timeline.countReached(names, [milestone])}`);
    },
    { signal: ctx.signal },
  );
}

/**
 * Creates one pod running `command` for every name in `names`, stamping each
 * request's start in `created` when given (see batch).
 */
export function createAll(
  ctx: ClusterContext,
  label: string,
  names: readonly string[],
  pod: { scenario: string; command: string[]; milestone: Milestone; created?: Stamps },
): Promise<BatchOutcome> {
  return batch(ctx, label, names, pod.milestone, async (name) => {
    pod.created?.set(name, Date.now());
    await ctx.api.createPod(
      ctx.namespace,
      benchPod({
        name,
        scenario: pod.scenario,
        nodeName: ctx.node.nodeName,
        command: pod.command,
        viaScheduler: ctx.flags.viaScheduler,
      }),
    );
  });
}

/** Deletes every pod in `names`, showing how many are gone (see batch). */
export function deleteAll(
  ctx: ClusterContext,
  label: string,
  names: readonly string[],
): Promise<BatchOutcome> {
  return batch(ctx, label, names, 'gone', (name) => ctx.api.deletePod(ctx.namespace, name));
}

/**
 * Removes whatever a scenario left behind (after a timeout or error) so the
 * next scenario starts on an empty node: delete by label with grace 0, then
 * wait a bounded time for the objects to go.
 */
export async function removeScenarioPods(ctx: ClusterContext, scenario: string): Promise<void> {
  const selector = `${SCENARIO_LABEL}=${scenario}`;
  await ctx.api.deletePodsByLabel(ctx.namespace, selector);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await ctx.api.countPods(ctx.namespace, selector)) === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`pods labelled ${selector} still exist after 120 s`);
}

/** Timestamps recorded by the benchmark itself, by pod name. */
export class Stamps {
  private readonly byName = new Map<string, number>();

  set(name: string, atMs: number): void {
    this.byName.set(name, atMs);
  }

  get map(): ReadonlyMap<string, number> {
    return this.byName;
  }

  get size(): number {
    return this.byName.size;
  }
}

/** The outcome of a wait: how many pods got there, and whether time ran out first. */
export interface WaitOutcome {
  reached: number;
  timedOut: boolean;
}

/** Warnings for the table: failed requests, failed pods, waits that timed out. Pure. */
export function batchWarnings(
  scenario: string,
  pods: number,
  creates: BatchOutcome,
  deletes: BatchOutcome | undefined,
  podsFailed: number,
  run: WaitOutcome,
  gone: WaitOutcome,
): string[] {
  const w: string[] = [];
  if (creates.failed)
    w.push(`${scenario}: ${creates.failed} of ${pods} create requests failed (${creates.errors[0]})`);
  if (deletes?.failed)
    w.push(`${scenario}: ${deletes.failed} of ${pods} delete requests failed (${deletes.errors[0]})`);
  if (podsFailed) w.push(`${scenario}: ${podsFailed} pods ended Failed instead of Succeeded`);
  if (run.timedOut)
    w.push(`${scenario}: only ${run.reached} of ${pods} pods got there before the wait timed out`);
  if (gone.timedOut)
    w.push(`${scenario}: only ${gone.reached} of ${pods} pods were gone before the wait timed out`);
  return w;
}
