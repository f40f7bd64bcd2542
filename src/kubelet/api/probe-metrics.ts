import type { ProbeCounter__Output } from '../../generated/vkcmd/runner/v1/ProbeCounter.js';

const HELP = '[BETA] Cumulative number of a liveness, readiness or startup probe for a container by result.';
const SKIPPED_HELP =
  'Ticks of a probe that passed without a run because the previous run was still going or the runner was behind (vk-cmd; the kubelet drops them silently).';

/** A label value escaped as the Prometheus text format needs (backslash, quote, newline). Pure. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * `/metrics/probes` as a kubelet serves it: prober_probe_total with labels
 * in the order the Go client writes them (sorted by name), one series per
 * pod, container, probe type and result that occurred (a kubelet creates a
 * series at its first increment, so results that never happened have
 * none). Beside it, vk_cmd_prober_probe_skipped_total: ticks that passed
 * without a run, for the probes that had any. Pure.
 */
export function renderProbeMetrics(counters: readonly ProbeCounter__Output[]): string {
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const c of counters) {
    if (c.skipped > 0) skipped.push(`vk_cmd_prober_probe_skipped_total{${labelsOf(c)}} ${c.skipped}`);
    const results: Array<[string, number]> = [
      ['failed', c.failed],
      ['successful', c.successful],
      ['unknown', c.unknown],
    ];
    for (const [result, value] of results) {
      if (value <= 0) continue;
      lines.push(`prober_probe_total{${labelsOf(c, result)}} ${value}`);
    }
  }
  let out = '';
  if (lines.length > 0) {
    out += `# HELP prober_probe_total ${HELP}\n# TYPE prober_probe_total counter\n${lines.sort().join('\n')}\n`;
  }
  if (skipped.length > 0) {
    out += `# HELP vk_cmd_prober_probe_skipped_total ${SKIPPED_HELP}\n# TYPE vk_cmd_prober_probe_skipped_total counter\n${skipped.sort().join('\n')}\n`;
  }
  return out;
}

/** The series' labels, sorted by name as the Go client writes them. Pure. */
function labelsOf(c: ProbeCounter__Output, result?: string): string {
  const labels = [
    ['container', c.container],
    ['namespace', c.namespace],
    ['pod', c.pod],
    ['pod_uid', c.podUid],
    ['probe_type', c.probeType],
  ];
  if (result !== undefined) labels.push(['result', result]);
  return labels.map(([k, v]) => `${k}="${escapeLabel(v!)}"`).join(',');
}
