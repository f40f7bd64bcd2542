import { cdfSvg, formatMs, type CdfPanel, type TargetLine } from './cdf-svg.js';
import type { LatencyRow, ReportRow } from './report-rows.js';
import { TARGETS } from './targets.js';

/** The scenarios drawn, in legend order, with their colours. */
const SCENARIO_COLORS: ReadonlyArray<[string, string, string]> = [
  // scenario, curve colour, target colour
  ['latency', '#1f77b4', '#6baed6'],
  ['contended', '#d62728', '#fc9272'],
];

/** The latencies drawn, one panel each. */
const PANELS: ReadonlyArray<[string, string]> = [
  ['create_to_running', 'create -> container Running'],
  ['exit_to_terminated', 'process exit -> Terminated'],
];

/** "quiet p99 <= 300 ms" lines for a row's percentile targets (value targets have none). Pure. */
export function targetLines(rowId: string, scenarioLabel: string, color: string): TargetLine[] {
  const target = TARGETS[rowId];
  if (!target) return [];
  return target.bounds
    .filter((b) => b.stat !== 'value')
    .map((b) => ({ label: `${scenarioLabel} ${b.stat} <= ${formatMs(b.max)}`, atMs: b.max, color }));
}

/**
 * The latency CDF panels of a run: create -> Running and exit -> Terminated,
 * one curve per scenario that produced the row (quiet and contended), with
 * their targets. Empty when neither scenario ran. Pure.
 */
export function latencyPanels(rows: readonly ReportRow[]): CdfPanel[] {
  const byId = new Map(
    rows.filter((r): r is LatencyRow => r.kind === 'latency').map((r) => [r.id, r] as const),
  );
  const panels: CdfPanel[] = [];
  for (const [name, title] of PANELS) {
    const panel: CdfPanel = { title, series: [], targets: [] };
    for (const [scenario, color, targetColor] of SCENARIO_COLORS) {
      const row = byId.get(`${scenario}.${name}`);
      if (!row) continue;
      const label = scenario === 'latency' ? 'quiet' : scenario;
      panel.series.push({ name: label, values: row.values, missing: row.missing, color });
      panel.targets.push(...targetLines(row.id, label, targetColor));
    }
    if (panel.series.length) panels.push(panel);
  }
  return panels;
}

/** The run's latency plot as SVG, or undefined when it has no latency rows to draw. Pure. */
export function latencySvg(rows: readonly ReportRow[], subtitle: string): string | undefined {
  const panels = latencyPanels(rows);
  if (panels.length === 0) return undefined;
  return cdfSvg(panels, 'vk-cmd status latency: quiet and contended (CDF)', subtitle);
}
