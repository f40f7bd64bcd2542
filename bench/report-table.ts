import type { LatencyRow, ReportRow, ValueRow } from './report-rows.js';

/** A scenario that could not finish, shown under the tables. */
export interface ScenarioFailure {
  scenario: string;
  message: string;
}

/** When a scenario ran and how busy the machine was around it (os.loadavg(): 1, 5 and 15 minutes). */
export interface ScenarioRun {
  scenario: string;
  seconds: number;
  loadAtStart: number[];
  loadAtEnd: number[];
}

/**
 * Renders the result tables as plain text (no colour, so it reads the same in
 * a log), headed by the scenarios that ran with the load average around each.
 */
export function formatReport(
  rows: readonly ReportRow[],
  failures: readonly ScenarioFailure[] = [],
  runs: readonly ScenarioRun[] = [],
): string {
  const latency = rows.filter((r): r is LatencyRow => r.kind === 'latency');
  const values = rows.filter((r): r is ValueRow => r.kind === 'value');
  const notes: string[] = [];
  const noteMark = (note: string | undefined): string => {
    if (!note) return '';
    let index = notes.indexOf(note);
    if (index === -1) index = notes.push(note) - 1;
    return ` [${index + 1}]`;
  };
  const out: string[] = [];
  if (runs.length) {
    const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');
    out.push('Scenarios (load average over 1, 5, 15 min)');
    out.push(
      renderTable(
        ['scenario', 'time', 'load at start', 'load at end'],
        runs.map((r) => [r.scenario, formatValue(r.seconds, 's'), load(r.loadAtStart), load(r.loadAtEnd)]),
        [false, true, false, false],
      ),
    );
    out.push('');
  }
  if (latency.length) {
    out.push('Latency (ms)');
    out.push(
      renderTable(
        ['scenario', 'row', 'n', 'p50', 'p90', 'p99', 'max', 'target', 'verdict'],
        latency.map((r) => [
          r.scenario,
          r.label,
          r.missing ? `${r.summary.count}/${r.summary.count + r.missing}` : String(r.summary.count),
          ms(r.summary.p50),
          ms(r.summary.p90),
          ms(r.summary.p99),
          ms(r.summary.max),
          r.target || '-',
          (r.verdict || '-') + noteMark(r.note),
        ]),
        [false, false, true, true, true, true, true, false, false],
      ),
    );
  }
  if (values.length) {
    if (out.length) out.push('');
    out.push('Throughput, memory and CPU');
    out.push(
      renderTable(
        ['scenario', 'row', 'value', 'target', 'verdict'],
        values.map((r) => [
          r.scenario,
          r.label,
          formatValue(r.value, r.unit),
          r.target || '-',
          (r.verdict || '-') + noteMark(r.note),
        ]),
        [false, false, true, false, false],
      ),
    );
  }
  const met = rows.filter((r) => r.verdict === 'met').length;
  const judged = rows.filter((r) => r.verdict !== '').length;
  out.push('');
  out.push(`Targets met: ${met} of ${judged}`);
  notes.forEach((note, i) => out.push(`[${i + 1}] ${note}; the verdict compares this run's figure anyway`));
  for (const f of failures) out.push(`scenario ${f.scenario} did not finish: ${f.message}`);
  return out.join('\n');
}

/** Left/right-aligned columns separated by two spaces, with a dashed rule under the header. */
export function renderTable(header: string[], body: string[][], alignRight: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Milliseconds with one decimal below 100 and none above; "-" when nothing was measured. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** A figure with its unit, at a precision that suits its size. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}
