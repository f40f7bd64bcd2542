import type { BenchFlags } from '../bench-flags.js';
import {
  cpuSharePerNode,
  perNode,
  requestsPerNodePerMinute,
  type LeaseLatenessSummary,
} from '../fleet-figures.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import type { FleetReadiness, IdleFigures } from './fleet-nodes.js';
import type { FleetLatency } from './fleet-pods.js';
import { SCRAPE_TIMEOUT_MS } from './fleet-scrape.js';

/** What a round of the fleet scenario read; NaN (or empty) where the round ended before reading it. */
export interface RoundFigures extends IdleFigures {
  startMs: number;
  allReadySeconds: number;
  reachedMs: FleetReadiness['reachedMs'];
  rssBeforeKb: number;
  rssPodsKb: number;
  /** Lease renewals judged over the idle window, and over the pods' phase. */
  leaseIdle: LeaseLatenessSummary;
  leasePods: LeaseLatenessSummary;
  /** Pods per node created at --rate over the nodes (0: one per node, all at once). */
  podsPerNode: number;
  running: FleetLatency;
  /** Process exit -> Terminated; only with pods at --rate (the light round's pods never exit). */
  exitToTerminated: FleetLatency | undefined;
}

/** A round's figures before it read any. Pure. */
export function emptyFigures(): RoundFigures {
  const noLeases = { renewals: 0, maxLateMs: Number.NaN, unjudged: 0 };
  return {
    startMs: Number.NaN,
    allReadySeconds: Number.NaN,
    reachedMs: { 'Runner connected': undefined, 'Registered node': undefined },
    rssBeforeKb: Number.NaN,
    rssIdleKb: Number.NaN,
    rssPodsKb: Number.NaN,
    windowStartMs: Number.NaN,
    windowSeconds: Number.NaN,
    requestWindowSeconds: Number.NaN,
    cpuSeconds: Number.NaN,
    settleSeconds: Number.NaN,
    settleCpuSeconds: Number.NaN,
    requests: { sum: Number.NaN, nodes: 0 },
    unanswered: Number.NaN,
    requestsByKind: {},
    leaseIdle: { ...noLeases },
    leasePods: { ...noLeases },
    podsPerNode: 0,
    running: { values: [], missing: 0 },
    exitToTerminated: undefined,
  };
}

/** The larger of two readings, NaN only if neither was read. Pure. */
export function maxRead(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  return Number.isNaN(b) ? a : Math.max(a, b);
}

/** The table rows of one round; row ids carry the round's size, so targets apply to the sizes they are stated for. Pure. */
export function fleetRows(
  round: { id: string; what: string; nodes: number },
  f: RoundFigures,
  flags: BenchFlags,
): ReportRow[] {
  const r = { ...round, ...f };
  const sinceStart = (atMs: number | undefined): number =>
    atMs === undefined ? Number.NaN : (atMs - r.startMs) / 1000;
  const label = `${r.nodes} nodes, ${r.what}, one kubelet`;
  const id = `${r.id}_${r.nodes}`;
  const value = (name: string, text: string, v: number, unit: string): ReportRow =>
    valueRow('fleet', `${id}_${name}`, text, v, unit, flags);
  const reqPerMin = requestsPerNodePerMinute(f.requests.sum, f.requestWindowSeconds, f.requests.nodes);
  const leases = [f.leaseIdle, f.leasePods];
  const renewals = leases.reduce((sum, l) => sum + l.renewals, 0);
  const unjudged = leases.reduce((sum, l) => sum + l.unjudged, 0);
  const pods =
    f.podsPerNode > 0
      ? `${f.podsPerNode} pods per node (sh -c 'sleep 1') at ${flags.ratePerSecond}/s over the nodes`
      : 'a pod per node, created at once';
  const rows: ReportRow[] = [
    value('all_ready_s', `${label}: first runner started -> all Ready`, r.allReadySeconds, 's'),
    value(
      'all_connected_s',
      '  first runner started -> all connected (kubelet log: Runner connected)',
      sinceStart(r.reachedMs['Runner connected']),
      's',
    ),
    value(
      'all_registered_s',
      '  first runner started -> all Nodes registered (kubelet log: Registered node)',
      sinceStart(r.reachedMs['Registered node']),
      's',
    ),
    value(
      'kubelet_rss_mb',
      '  kubelet RSS, the larger of idle and with pods',
      maxRead(r.rssIdleKb, r.rssPodsKb) / 1024,
      'MB',
    ),
    value(
      'rss_mb_per_node',
      `  kubelet RSS per node, idle ((RSS - RSS with no node) / N; ${(r.rssIdleKb / 1024).toFixed(0)} MB in all)`,
      perNode(r.rssBeforeKb, r.rssIdleKb, r.nodes) / 1024,
      'MB',
    ),
    value(
      'kubelet_settle_cpu_percent',
      `  kubelet CPU over the ${Math.round(f.settleSeconds)} s after all Ready (each node's first scrapes, code warming up), % of a core`,
      (f.settleCpuSeconds / f.settleSeconds) * 100,
      '%',
    ),
    value(
      'kubelet_idle_cpu_percent',
      `  kubelet CPU idle (leases, node status, runner links, metrics-server scrapes), % of a core over the ${Math.round(f.windowSeconds)} s after those`,
      (f.cpuSeconds / f.windowSeconds) * 100,
      '%',
    ),
    value(
      'cpu_millicores_per_node',
      '  kubelet CPU per node, idle: CPU ms per second (millicores)',
      cpuSharePerNode(f.cpuSeconds, f.windowSeconds, r.nodes) * 1000,
      'mcores',
    ),
    value(
      'api_requests_per_node_min',
      `  API requests per node per minute, idle (${(reqPerMin / 60).toFixed(3)}/s; ` +
        `over the ${f.requests.nodes} nodes that answered both scrapes)`,
      reqPerMin,
      'req/min',
    ),
    value(
      'metrics_unanswered',
      `  nodes whose /metrics did not answer a scrape (within ${SCRAPE_TIMEOUT_MS / 1000} s)`,
      f.unanswered,
      'nodes',
    ),
    value(
      'lease_late_max_ms',
      `  Lease renewal against its due time (previous renewTime + 10 s), latest; idle and with pods ` +
        `(${renewals} renewals judged, ${unjudged} not)`,
      maxRead(f.leaseIdle.maxLateMs, f.leasePods.maxLateMs),
      'ms',
    ),
    latencyRow('fleet', `${id}_pod_running`, `  ${pods}: create -> Running (API)`, f.running, flags),
  ];
  if (f.exitToTerminated) {
    rows.push(
      latencyRow(
        'fleet',
        `${id}_pod_exit_to_terminated`,
        `  ${pods}: process exit (runner) -> Terminated (API)`,
        f.exitToTerminated,
        flags,
      ),
    );
  }
  rows.push(
    value(
      'rss_mb_per_node_with_pods',
      `  kubelet RSS per node with pods (${(r.rssPodsKb / 1024).toFixed(0)} MB in all)`,
      perNode(r.rssBeforeKb, r.rssPodsKb, r.nodes) / 1024,
      'MB',
    ),
  );
  return rows;
}
