import { readFileSync } from 'node:fs';
import { CoreV1Api } from '@kubernetes/client-node';
import { kubeletGet } from '../../test/e2e/support/https-get.js';
import type { ClusterContext } from '../bench-context.js';
import type { BenchFlags } from '../bench-flags.js';
import { cpuSharePerNode, perNode, requestsPerNodePerMinute } from '../fleet-figures.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { pooled, realClock } from '../pacing.js';
import { parseSamples } from '../prom-text.js';

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
  const allReadySeconds = (Date.now() - o.startMs) / 1000;
  ctx.progress.finish(ready.size < o.nodes ? `only ${ready.size} of ${o.nodes} Ready` : '');
  return { ready, reachedMs, allReadySeconds };
}

/**
 * The sum of `metric` over every node matching `labelSelector`, each
 * scraped from its own kubelet API port (daemonEndpoints), 16 at a time.
 * A node that does not answer adds nothing.
 */
export async function sumOverNodes(
  ctx: ClusterContext,
  labelSelector: string,
  metric: string,
): Promise<number> {
  const core = ctx.kc.makeApiClient(CoreV1Api);
  const list = await core.listNode({ labelSelector });
  const ports = list.items.flatMap((node) => {
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    return port ? [port] : [];
  });
  let total = 0;
  await pooled(ports.length, 16, async (i) => {
    const res = await kubeletGet(ports[i]!, '/metrics', { cert: ctx.adminCert, key: ctx.adminKey });
    if (res.status === 200) for (const s of parseSamples(res.body, metric)) total += s.value;
  });
  return total;
}

/** Occurrences of `needle` in `text`. Pure. */
export function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** What a round of the fleet scenario read while its nodes came up and sat idle. */
export interface FleetReadings {
  id: string;
  what: string;
  nodes: number;
  startMs: number;
  allReadySeconds: number;
  reachedMs: FleetReadiness['reachedMs'];
  rssBeforeKb: number;
  rssIdleKb: number;
  rssPodsKb: number;
}

/** The table rows of one round. Pure. */
export function fleetRows(
  r: FleetReadings,
  w: { windowSeconds: number; cpuSeconds: number; requests: number; latencies: number[] },
  flags: BenchFlags,
): ReportRow[] {
  const sinceStart = (atMs: number | undefined): number =>
    atMs === undefined ? Number.NaN : (atMs - r.startMs) / 1000;
  const label = `${r.nodes} nodes, ${r.what}, one kubelet`;
  const id = `${r.id}_${r.nodes}`;
  return [
    valueRow(
      'fleet',
      `${id}_all_ready_s`,
      `${label}: first runner started -> all Ready`,
      r.allReadySeconds,
      's',
      flags,
    ),
    valueRow(
      'fleet',
      `${id}_all_connected_s`,
      '  first runner started -> all connected (kubelet log: Runner connected)',
      sinceStart(r.reachedMs['Runner connected']),
      's',
      flags,
    ),
    valueRow(
      'fleet',
      `${id}_all_registered_s`,
      '  first runner started -> all Nodes registered (kubelet log: Registered node)',
      sinceStart(r.reachedMs['Registered node']),
      's',
      flags,
    ),
    valueRow(
      'fleet',
      `${id}_rss_mb_per_node`,
      `  kubelet RSS per node, idle ((RSS - RSS with no node) / N; ${(r.rssIdleKb / 1024).toFixed(0)} MB in all)`,
      perNode(r.rssBeforeKb, r.rssIdleKb, r.nodes) / 1024,
      'MB',
      flags,
    ),
    valueRow(
      'fleet',
      `${id}_cpu_millicores_per_node`,
      `  kubelet CPU per node, idle (leases, status), millicores over ${Math.round(w.windowSeconds)} s`,
      cpuSharePerNode(w.cpuSeconds, w.windowSeconds, r.nodes) * 1000,
      'mcores',
      flags,
    ),
    valueRow(
      'fleet',
      `${id}_api_requests_per_node_min`,
      '  API requests per node per minute, idle',
      requestsPerNodePerMinute(w.requests, w.windowSeconds, r.nodes),
      'req/min',
      flags,
    ),
    latencyRow(
      'fleet',
      `${id}_pod_running`,
      `  a pod per node, created at once: create -> Running (API)`,
      { values: w.latencies, missing: r.nodes - w.latencies.length },
      flags,
    ),
    valueRow(
      'fleet',
      `${id}_rss_mb_per_node_with_pods`,
      '  kubelet RSS per node with a pod each',
      perNode(r.rssBeforeKb, r.rssPodsKb, r.nodes) / 1024,
      'MB',
      flags,
    ),
  ];
}
