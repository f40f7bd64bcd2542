import { readFileSync } from 'node:fs';
import { kubeletGet } from '../../test/e2e/support/https-get.js';
import type { ClusterContext } from '../bench-context.js';
import type { BenchFlags } from '../bench-flags.js';
import type { CpuWindow } from '../cpu-budget.js';
import { counterDeltas, parseSamples, type PromSample } from '../prom-text.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { pairedDeltas } from '../stats.js';

/*
 * Where a small pod's create -> Running goes while a huge pod starts: the
 * stages the benchmark can time per pod (its create, the runner's record
 * of the CreatePod's arrival and of the start sent to the launcher, the
 * runner's running event on the benchmark's stream, the API watch), the kubelet's runner event -> patch answered histogram over
 * the window, and the CPU each process used while the huge pod started.
 */

/** Per-pod timestamps (ms, one clock: every process runs on this host), by pod name. */
export interface SmallPodStamps {
  created: ReadonlyMap<string, number>;
  /** The runner's record of when the CreatePod call arrived. */
  runnerReceived: ReadonlyMap<string, number>;
  /** The runner's startedAtMs: when it sent the start to the launcher (its intent saved). */
  startSent: ReadonlyMap<string, number>;
  /** The runner's first running event, as the benchmark's WatchPods stream received it. */
  runnerRunning: ReadonlyMap<string, number>;
  /** The API watch first showing the container running. */
  apiRunning: ReadonlyMap<string, number>;
}

/** The stage rows of the small pods, each a latency row (p50, p99) of `hugepod`. */
export function stageRows(names: readonly string[], s: SmallPodStamps, flags: BenchFlags): ReportRow[] {
  const row = (
    name: string,
    label: string,
    from: ReadonlyMap<string, number>,
    to: ReadonlyMap<string, number>,
  ): ReportRow => latencyRow('hugepod', name, label, pairedDeltas(names, from, to), flags);
  return [
    row(
      'stage_create_to_runner_received',
      '  stage: create -> runner received CreatePod (API watch, kubelet, gRPC)',
      s.created,
      s.runnerReceived,
    ),
    row(
      'stage_runner_received_to_start_sent',
      '  stage: runner received -> start sent to the launcher (start queue, intent save)',
      s.runnerReceived,
      s.startSent,
    ),
    row(
      'stage_start_sent_to_runner_event',
      '  stage: start sent -> runner running event (launcher fork and reply, record, publish)',
      s.startSent,
      s.runnerRunning,
    ),
    row(
      'stage_runner_event_to_api_running',
      '  stage: runner running event -> API watch Running (kubelet, patch, API, watch)',
      s.runnerRunning,
      s.apiRunning,
    ),
  ];
}

const SYNC_METRIC = 'vkcmd_kubelet_pod_status_sync_duration_seconds_bucket';

/**
 * Upper bound (ms) of the bucket holding quantile `q` of a Prometheus
 * histogram's observations between two readings (`_bucket` samples with an
 * `le` label); NaN without observations, Infinity when it lies above the
 * last finite bound. Pure.
 */
export function histogramQuantileMs(
  before: readonly PromSample[],
  after: readonly PromSample[],
  q: number,
): number {
  const deltas = counterDeltas(before, after);
  const buckets = after
    .map((s) => ({
      le: Number(s.labels['le'] === '+Inf' ? Infinity : s.labels['le']),
      key: `le=${s.labels['le']}`,
    }))
    .map((b) => ({ le: b.le, count: deltas.get(b.key) ?? 0 }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  for (const b of buckets) if (b.count >= rank) return b.le * 1000;
  return Infinity;
}

/** The kubelet's status sync histogram (runner event -> patch answered) at one instant. */
export async function readStatusSync(ctx: ClusterContext): Promise<PromSample[]> {
  const res = await kubeletGet(ctx.node.kubeletPort, '/metrics', { cert: ctx.adminCert, key: ctx.adminKey });
  if (res.status !== 200) return [];
  return parseSamples(res.body, SYNC_METRIC);
}

/** Rows of the kubelet's runner event -> status patch answered, p50 and p99 bucket bounds, over a window. */
export function statusSyncRows(
  before: readonly PromSample[],
  after: readonly PromSample[],
  flags: BenchFlags,
): ReportRow[] {
  const v = (name: string, label: string, q: number): ReportRow =>
    valueRow('hugepod', name, label, histogramQuantileMs(before, after, q), 'ms', flags);
  return [
    v(
      'stage_kubelet_event_to_patch_answered_p50_ms',
      '  stage: kubelet runner event -> patch answered, p50 (bucket bound, all pods)',
      0.5,
    ),
    v(
      'stage_kubelet_event_to_patch_answered_p99_ms',
      '  stage: kubelet runner event -> patch answered, p99 (bucket bound, all pods)',
      0.99,
    ),
  ];
}

/** Pids of the runner's children whose command is `comm` (the launcher), from /proc; [] when unreadable. */
export function childPids(parentPid: number, comm: string): number[] {
  try {
    const children = readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, 'utf8').trim();
    if (children === '') return [];
    return children
      .split(/\s+/)
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm.slice(0, 15);
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** Rows of the CPU seconds each group used over the huge pod's start (create -> all running). */
export function startCpuRows(windows: Record<string, CpuWindow>, flags: BenchFlags): ReportRow[] {
  return Object.entries(windows)
    .filter(([label]) => !label.includes(': '))
    .map(([label, w]) =>
      valueRow(
        'hugepod',
        `start_cpu_seconds_${label.replace(/\W+/g, '_')}`,
        `huge pod start: ${label} CPU over ${w.seconds.toFixed(0)} s`,
        w.cpuMs / 1000,
        's',
        flags,
      ),
    );
}
