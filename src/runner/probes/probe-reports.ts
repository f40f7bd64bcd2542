import type { ProbeReport } from '../../generated/vkcmd/runner/v1/ProbeReport.js';
import type { ProbeType } from './probe-settings.js';
import type { ProbeOutcome } from './probe-worker.js';

/** The failed, errored and warning runs of one probe in one run of a container. */
export interface ReportCounts {
  failures: number;
  lastFailure: string;
  errors: number;
  lastError: string;
  warnings: number;
  lastWarning: string;
}

const EMPTY: ReportCounts = {
  failures: 0,
  lastFailure: '',
  errors: 0,
  lastError: '',
  warnings: 0,
  lastWarning: '',
};

/**
 * Adds one outcome to a probe's report: a failure, an error or a warning
 * counts and keeps its message (what the kubelet's Unhealthy and
 * ProbeWarning events say); a plain success changes nothing and returns the
 * same object. Pure.
 */
export function addToReport(
  report: ReportCounts | undefined,
  outcome: ProbeOutcome,
): ReportCounts | undefined {
  const r = report ?? EMPTY;
  switch (outcome.kind) {
    case 'failure':
      return { ...r, failures: r.failures + 1, lastFailure: outcome.output };
    case 'error':
      return { ...r, errors: r.errors + 1, lastError: outcome.message };
    case 'warning':
      return { ...r, warnings: r.warnings + 1, lastWarning: outcome.output };
    case 'success':
      return report;
  }
}

/** The contract's ProbeReport list, in probe-type order. Pure. */
export function reportsToProto(reports: ReadonlyMap<ProbeType, ReportCounts>): ProbeReport[] {
  const order: ProbeType[] = ['Startup', 'Readiness', 'Liveness'];
  return order
    .filter((t) => reports.has(t))
    .map((t) => {
      const r = reports.get(t)!;
      return { probeType: t, ...r };
    });
}

/**
 * When a change that only touches probe reports is published: at once when
 * nothing was published for `intervalMs`, else when the interval is over,
 * so a probe failing every second does not push every second. Pure.
 */
export function reportPublishAtMs(
  lastPublishedAtMs: number | undefined,
  nowMs: number,
  intervalMs: number,
): number {
  if (lastPublishedAtMs === undefined) return nowMs;
  return Math.max(nowMs, lastPublishedAtMs + intervalMs);
}
