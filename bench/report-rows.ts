import type { BenchFlags, ScenarioName } from './bench-flags.js';
import { summarize, type Summary } from './stats.js';
import { TARGETS, evaluateLatency, evaluateValue, type Verdict } from './targets.js';

/** A latency distribution in milliseconds, with how many samples never arrived. */
export interface LatencyRow {
  kind: 'latency';
  /** `<scenario>.<name>`; the key of its target in TARGETS, if any. */
  id: string;
  scenario: ScenarioName;
  label: string;
  summary: Summary;
  missing: number;
  target: string;
  verdict: Verdict;
  note?: string;
  /** The samples, kept for the JSON result. */
  values: number[];
}

/** One figure: a duration, a rate, a size or a share of a core. */
export interface ValueRow {
  kind: 'value';
  id: string;
  scenario: ScenarioName;
  label: string;
  value: number;
  unit: string;
  target: string;
  verdict: Verdict;
  note?: string;
}

export type ReportRow = LatencyRow | ValueRow;

/** Builds a latency row and judges it against its target, if it has one. */
export function latencyRow(
  scenario: ScenarioName,
  name: string,
  label: string,
  sample: { values: number[]; missing: number },
  flags: BenchFlags,
): LatencyRow {
  const id = `${scenario}.${name}`;
  const target = TARGETS[id];
  const evaluation = evaluateLatency(target, sample.values, sample.missing, flags);
  return {
    kind: 'latency',
    id,
    scenario,
    label,
    summary: summarize(sample.values),
    missing: sample.missing,
    target: target?.text ?? '',
    verdict: evaluation.verdict,
    ...(evaluation.note ? { note: evaluation.note } : {}),
    values: sample.values.map((v) => Math.round(v * 10) / 10),
  };
}

/** Builds a single-value row and judges it against its target, if it has one. */
export function valueRow(
  scenario: ScenarioName,
  name: string,
  label: string,
  value: number,
  unit: string,
  flags: BenchFlags,
): ValueRow {
  const id = `${scenario}.${name}`;
  const target = TARGETS[id];
  const evaluation = evaluateValue(target, value, flags);
  return {
    kind: 'value',
    id,
    scenario,
    label,
    value,
    unit,
    target: target?.text ?? '',
    verdict: evaluation.verdict,
    ...(evaluation.note ? { note: evaluation.note } : {}),
  };
}
