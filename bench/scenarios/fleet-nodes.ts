import { readFileSync } from 'node:fs';
import { CoreV1Api } from '@kubernetes/client-node';
import type { ClusterContext } from '../bench-context.js';
import { realClock } from '../pacing.js';
import { clockTicksPerSecond, readCpuTicks, readProcMemory } from '../proc-stats.js';
import {
  counterDelta,
  kindDelta,
  deadlineSignal,
  httpsMetricsFetch,
  scrapeNodes,
  SCRAPE_TIMEOUT_MS,
  untilAborted,
  type NodeScrape,
} from './fleet-scrape.js';

/** Every node's counter of the API requests it sent. */
export const API_REQUESTS_METRIC = 'vkcmd_kubelet_apiserver_requests_total';

/** The kubelet's log lines whose n-th occurrence the fleet scenario times. */
export type FleetMilestone = 'Runner connected' | 'Registered node';

/** How a fleet came up: the nodes Ready, when each log milestone was reached for all, and the time to all Ready. */
export interface FleetReadiness {
  ready: Set<string>;
  reachedMs: Record<FleetMilestone, number | undefined>;
  allReadySeconds: number;
}

/**
 * Polls the Nodes matching `labelSelector` (every 500 ms) until `nodes` of
 * them are Ready or the deadline passes, noting when the kubelet's log had
 * `nodes` Runner connected and Registered node lines. Rejects only on abort.
 */
export async function waitFleetReady(
  ctx: ClusterContext,
  o: { nodes: number; labelSelector: string; kubeletLog: string; startMs: number; label: string },
): Promise<FleetReadiness> {
  const core = ctx.kc.makeApiClient(CoreV1Api);
  const ready = new Set<string>();
  const reachedMs: FleetReadiness['reachedMs'] = {
    'Runner connected': undefined,
    'Registered node': undefined,
  };
  ctx.progress.start(`${o.label}: ${o.nodes} nodes turning Ready`, o.nodes);
  const deadline = Date.now() + Math.max(180_000, o.nodes * 600);
  while (ready.size < o.nodes && Date.now() < deadline) {
    ctx.signal.throwIfAborted();
    const list = await core.listNode({ labelSelector: o.labelSelector });
    for (const node of list.items) {
      if ((node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) {
        ready.add(node.metadata?.name ?? '');
      }
    }
    const logText = readFileSync(o.kubeletLog, 'utf8');
    for (const message of Object.keys(reachedMs) as FleetMilestone[]) {
      if (reachedMs[message] === undefined && countOf(logText, `"msg":"${message}"`) >= o.nodes) {
        reachedMs[message] = Date.now();
      }
    }
    ctx.progress.update(ready.size);
    if (ready.size < o.nodes) await realClock.sleep(500, ctx.signal);
  }
  // Not reached: no figure (the deadline's time is not a time to all Ready).
  const allReadySeconds = ready.size < o.nodes ? Number.NaN : (Date.now() - o.startMs) / 1000;
  ctx.progress.finish(ready.size < o.nodes ? `only ${ready.size} of ${o.nodes} Ready` : '');
  return { ready, reachedMs, allReadySeconds };
}

/** A whole scrape of every node: at most this long; nodes not reached by then count as unanswered. */
const SCRAPE_BUDGET_MS = 90_000;

/**
 * `metric` on every node matching `labelSelector`, each scraped from its
 * own kubelet API port (daemonEndpoints), 32 at a time, each within
 * SCRAPE_TIMEOUT_MS and all within SCRAPE_BUDGET_MS or the bench's abort.
 * Never hangs; the nodes that did not answer are listed.
 */
export async function scrapeFleet(
  ctx: ClusterContext,
  labelSelector: string,
  metric: string,
): Promise<NodeScrape> {
  const core = ctx.kc.makeApiClient(CoreV1Api);
  const budget = deadlineSignal(SCRAPE_BUDGET_MS, ctx.signal);
  try {
    const list = await untilAborted(core.listNode({ labelSelector }), budget.signal);
    const targets = list.items.flatMap((node) => {
      const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      return port ? [{ node: node.metadata?.name ?? '', port }] : [];
    });
    return await scrapeNodes(targets, metric, httpsMetricsFetch({ cert: ctx.adminCert, key: ctx.adminKey }), {
      concurrency: 32,
      timeoutMs: SCRAPE_TIMEOUT_MS,
      signal: budget.signal,
    });
  } finally {
    budget.done();
  }
}

/** Occurrences of `needle` in `text`. Pure. */
export function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** What the idle window read. */
export interface IdleFigures {
  /** When the window started (epoch ms): with the kubelet's start, where it lies in a CPU profile. */
  windowStartMs: number;
  windowSeconds: number;
  /**
   * What the request counters' growth is divided by: from the start of the
   * first scrape to the start of the second. Both passes take the nodes in the
   * same order at the same concurrency, so this is about each node's time
   * between its two reads; the idle window alone leaves out the first pass's
   * remainder and the second's wait (20 s and more at 1,000 nodes), which
   * overstated the rate by that share.
   */
  requestWindowSeconds: number;
  /** The kubelet's CPU (user + system) over the window. */
  cpuSeconds: number;
  /** The wait before the window, from all nodes Ready, and the kubelet's CPU over it. */
  settleSeconds: number;
  settleCpuSeconds: number;
  rssIdleKb: number;
  /** The request counters' growth over the nodes that answered both scrapes. */
  requests: { sum: number; nodes: number };
  /** Nodes that did not answer the first or the second scrape. */
  unanswered: number;
  /** The requests over the window by "verb resource", summed over every node (exact when all answered). */
  requestsByKind: Record<string, number>;
}

/**
 * The idle window: `settleSeconds` first (from all nodes Ready: each node's
 * first scrapes and the kubelet's code warming up, whose CPU is read apart;
 * bench/README.md, "The minute after all Ready is not idle"), then the
 * nodes' request counters scraped, `seconds` of the kubelet's CPU with no
 * pods, its RSS, the counters again.
 */
export async function measureIdle(
  ctx: ClusterContext,
  o: { kubeletPid: number; labelSelector: string; settleSeconds: number; seconds: number; label: string },
): Promise<{
  figures: IdleFigures;
  warnings: string[];
}> {
  ctx.progress.start(`${o.label}: settling after all Ready`, o.settleSeconds);
  const settleStartMs = Date.now();
  const settleCpuBefore = readCpuTicks(o.kubeletPid);
  await realClock.sleep(o.settleSeconds * 1000, ctx.signal);
  const settleCpuTicks = readCpuTicks(o.kubeletPid) - settleCpuBefore;
  const settleSeconds = (Date.now() - settleStartMs) / 1000;
  ctx.progress.finish();
  ctx.progress.start(`${o.label}: idle window`, o.seconds);
  const firstScrapeMs = Date.now();
  const before = await scrapeFleet(ctx, o.labelSelector, API_REQUESTS_METRIC);
  const windowStartMs = Date.now();
  const cpuBefore = readCpuTicks(o.kubeletPid);
  await realClock.sleep(o.seconds * 1000, ctx.signal);
  const cpuAfter = readCpuTicks(o.kubeletPid);
  const windowSeconds = (Date.now() - windowStartMs) / 1000;
  const rssIdleKb = readProcMemory(o.kubeletPid).vmRssKb;
  const requestWindowSeconds = (Date.now() - firstScrapeMs) / 1000;
  const after = await scrapeFleet(ctx, o.labelSelector, API_REQUESTS_METRIC);
  ctx.progress.finish();
  const unanswered = new Set([...before.unanswered, ...after.unanswered]);
  const warnings =
    unanswered.size > 0
      ? [
          `${o.label}: ${unanswered.size} nodes did not answer a /metrics scrape ` +
            `(${before.unanswered.length} before, ${after.unanswered.length} after the idle window; ` +
            `${[...before.errors, ...after.errors].slice(0, 3).join('; ')})`,
        ]
      : [];
  return {
    figures: {
      windowStartMs,
      windowSeconds,
      requestWindowSeconds,
      cpuSeconds: (cpuAfter - cpuBefore) / clockTicksPerSecond(),
      settleSeconds,
      settleCpuSeconds: settleCpuTicks / clockTicksPerSecond(),
      rssIdleKb,
      requests: counterDelta(before.values, after.values),
      requestsByKind: kindDelta(before.byKind, after.byKind),
      unanswered: unanswered.size,
    },
    warnings,
  };
}
