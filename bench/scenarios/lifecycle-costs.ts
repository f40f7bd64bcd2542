import type { EventLoopDelayTotals } from '../../src/common/event-loop-delay.js';
import { kubeletGet } from '../../test/e2e/support/https-get.js';
import type { ClusterContext } from '../bench-context.js';
import type { BenchFlags, ScenarioName } from '../bench-flags.js';
import { CpuMeter, perPodCpu, type CpuWindow, type PerPodCpu } from '../cpu-budget.js';
import {
  delayTotalsFromHealth,
  delayTotalsFromMetrics,
  delayWindowFigures,
  type DelayFigures,
} from '../event-loop-reading.js';
import { realClock } from '../pacing.js';
import { childPids } from './huge-pod-stages.js';
import { parseSamples, type PromSample } from '../prom-text.js';
import { valueRow, type ReportRow } from '../report-rows.js';

/** Pause before the idle baseline, so the previous phase's trailing work is not counted as idle. */
const SETTLE_MS = 3000;
export const CONTROL_PLANE = 'control plane';
const VK_CMD_PARTS = ['runner', 'kubelet'] as const;
const API_REQUESTS_METRIC = 'vkcmd_kubelet_apiserver_requests_total';

export const BENCHMARK = 'benchmark';

/**
 * A meter over the runner with its launcher (the process that forks its
 * containers works for the runner alone, so its CPU is the runner's cost;
 * each part apart for the JSON), the kubelet, this benchmark process (its
 * watches share the machine), and the control plane summed and by
 * component, read from /proc/<pid>/stat.
 */
export function costMeter(ctx: ClusterContext): CpuMeter {
  const pid = (p: number | undefined): number[] => (p === undefined ? [] : [p]);
  const runner = pid(ctx.node.runner?.pid);
  const launcher = runner.length ? childPids(runner[0]!, 'vk-cmd-launcher') : [];
  const groups: Record<string, number[]> = {
    runner: [...runner, ...launcher],
    'runner: process': runner,
    'runner: launcher': launcher,
    kubelet: pid(ctx.node.kubelet?.pid),
    [BENCHMARK]: [process.pid],
    [CONTROL_PLANE]: Object.values(ctx.controlPlanePids),
  };
  for (const [component, p] of Object.entries(ctx.controlPlanePids))
    groups[`${CONTROL_PLANE}: ${component}`] = [p];
  return new CpuMeter(groups);
}

/**
 * The idle baseline: after a short settle, every group's CPU over `seconds`
 * with no pods on the node, in the same conditions as the scenario that
 * follows (the burners, when it has them, already running).
 */
export async function idleBaseline(
  ctx: ClusterContext,
  meter: CpuMeter,
  scenario: ScenarioName,
  seconds: number,
): Promise<Record<string, CpuWindow>> {
  await realClock.sleep(SETTLE_MS, ctx.signal);
  ctx.progress.start(`${scenario}: idle baseline, no pods`, Math.round(seconds));
  const start = meter.mark();
  for (let i = 1; Date.now() - start.atMs < seconds * 1000; i++) {
    await realClock.sleep(Math.max(0, start.atMs + i * 1000 - Date.now()), ctx.signal);
    ctx.progress.update(Math.min(Math.round(seconds), i));
  }
  const end = meter.mark();
  ctx.progress.finish();
  return meter.between(start, end);
}

/** Event-loop delay totals of vk-cmd's processes at one instant; a part is absent when it has no reading. */
export interface DelayReadings {
  kubelet?: EventLoopDelayTotals;
  runner?: EventLoopDelayTotals;
  /** The kubelet's API server request counters (verb, resource, code) at that instant. */
  kubeletApiRequests?: PromSample[];
}

/**
 * Reads the kubelet's totals from its /metrics (with the cluster admin
 * certificate) and the runner's from GetRunnerHealth.
 */
export async function readDelays(ctx: ClusterContext): Promise<DelayReadings> {
  const res = await kubeletGet(ctx.node.kubeletPort, '/metrics', { cert: ctx.adminCert, key: ctx.adminKey });
  if (res.status !== 200) throw new Error(`kubelet /metrics answered ${res.status}`);
  const kubelet = delayTotalsFromMetrics(res.body);
  const runner = delayTotalsFromHealth(await ctx.runnerWatch.health());
  const kubeletApiRequests = parseSamples(res.body, API_REQUESTS_METRIC);
  return { ...(kubelet ? { kubelet } : {}), ...(runner ? { runner } : {}), kubeletApiRequests };
}

/**
 * The kubelet's API requests over the window per pod, by `verb resource`
 * (every answer code counted), with `total`. Pure; empty without readings.
 */
export function apiRequestsPerPod(
  before: readonly PromSample[] | undefined,
  after: readonly PromSample[] | undefined,
  pods: number,
): Record<string, number> {
  if (!before || !after || pods <= 0) return {};
  const sums = (samples: readonly PromSample[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const s of samples) {
      const k = `${s.labels['verb'] ?? '?'} ${s.labels['resource'] ?? '?'}`;
      m.set(k, (m.get(k) ?? 0) + s.value);
    }
    return m;
  };
  const start = sums(before);
  const perPod: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of [...sums(after)].sort(([a], [b]) => a.localeCompare(b))) {
    const delta = v - (start.get(k) ?? 0);
    if (delta <= 0) continue;
    perPod[k] = delta / pods;
    total += delta;
  }
  return { ...perPod, total: total / pods };
}

/** What one measured scenario window gives the cost rows. */
export interface CostWindow {
  pods: number;
  baseline: Record<string, CpuWindow>;
  scenario: Record<string, CpuWindow>;
  delaysBefore: DelayReadings;
  delaysAfter: DelayReadings;
}

/**
 * Rows for the CPU each pod lifecycle costs the runner, the kubelet and the
 * control plane, and for the event-loop delay of vk-cmd's two processes over
 * the scenario window, with the figures behind them for the JSON.
 */
export function costRows(
  scenario: ScenarioName,
  flags: BenchFlags,
  w: CostWindow,
): { rows: ReportRow[]; warnings: string[]; details: Record<string, unknown> } {
  const none: CpuWindow = { cpuMs: Number.NaN, seconds: Number.NaN };
  const cost: Record<string, PerPodCpu> = {};
  for (const label of Object.keys(w.scenario)) {
    cost[label] = perPodCpu(w.scenario[label] ?? none, w.baseline[label] ?? none, w.pods);
  }
  const delays: Record<string, DelayFigures> = {};
  for (const part of VK_CMD_PARTS)
    delays[part] = delayWindowFigures(w.delaysBefore[part], w.delaysAfter[part]);

  const v = (name: string, label: string, value: number, unit: string): ReportRow =>
    valueRow(scenario, name, label, value, unit, flags);
  const idle = (label: string): string => {
    const rate = cost[label]?.baselineMsPerSecond ?? Number.NaN;
    return Number.isFinite(rate) ? `idle ${rate.toFixed(1)} ms/s off` : 'no idle baseline';
  };
  const rows: ReportRow[] = [
    ...VK_CMD_PARTS.map((part) =>
      v(
        `${part}_cpu_ms_per_pod`,
        `${part}${part === 'runner' ? ' (with its launcher)' : ''} CPU per pod lifecycle (create, run, exit, delete; ${idle(part)})`,
        cost[part]?.perPodMs ?? Number.NaN,
        'ms',
      ),
    ),
    v(
      'control_plane_cpu_ms_per_pod',
      `  control plane CPU per pod (${Object.keys(w.scenario)
        .filter((l) => l.startsWith(`${CONTROL_PLANE}: `))
        .map((l) => l.slice(CONTROL_PLANE.length + 2))
        .join(', ')}; ${idle(CONTROL_PLANE)})`,
      cost[CONTROL_PLANE]?.perPodMs ?? Number.NaN,
      'ms',
    ),
    v(
      'benchmark_cpu_ms_per_pod',
      `  benchmark process CPU per pod (its API watch and runner stream; ${idle(BENCHMARK)})`,
      cost[BENCHMARK]?.perPodMs ?? Number.NaN,
      'ms',
    ),
  ];
  const requests = apiRequestsPerPod(
    w.delaysBefore.kubeletApiRequests,
    w.delaysAfter.kubeletApiRequests,
    w.pods,
  );
  if (requests['total'] !== undefined) {
    const kinds = Object.entries(requests)
      .filter(([k]) => k !== 'total')
      .map(([k, n]) => `${k} ${n.toFixed(2)}`)
      .join(', ');
    rows.push(
      v('kubelet_api_requests_per_pod', `kubelet API requests per pod (${kinds})`, requests['total'], ''),
    );
  }
  const warnings: string[] = [];
  for (const part of VK_CMD_PARTS) {
    const d = delays[part]!;
    if (d.count === 0) {
      warnings.push(`${scenario}: no event-loop delay reading for the ${part}; its rows are left out`);
      continue;
    }
    rows.push(
      v(
        `${part}_event_loop_delay_p99_ms`,
        `${part} event-loop delay p99 (bucket upper bound)`,
        d.p99Ms,
        'ms',
      ),
      v(
        `${part}_event_loop_delay_max_ms`,
        `${part} event-loop delay max${d.maxExact ? '' : ' (bucket upper bound)'}`,
        d.maxMs,
        'ms',
      ),
    );
  }
  return {
    rows,
    warnings,
    details: {
      cpuPerPod: cost,
      cpuBaseline: w.baseline,
      cpuScenario: w.scenario,
      eventLoopDelay: delays,
      kubeletApiRequestsPerPod: requests,
    },
  };
}
