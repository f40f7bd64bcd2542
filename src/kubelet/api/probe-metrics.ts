import type { ProbeCounter__Output } from '../../generated/vkcmd/runner/v1/ProbeCounter.js';

const HELP = '[BETA] Cumulative number of a liveness, readiness or startup probe for a container by result.';

/** A label value escaped as the Prometheus text format needs (backslash, quote, newline). Pure. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * `/metrics/probes` as a kubelet serves it: prober_probe_total with labels
 * in the order the Go client writes them (sorted by name), one series per
 * pod, container, probe type and result that occurred (a kubelet creates a
 * series at its first increment, so results that never happened have
 * none). Pure.
 */
export function renderProbeMetrics(counters: readonly ProbeCounter__Output[]): string {
  const lines: string[] = [];
  for (const c of counters) {
    const results: Array<[string, number]> = [
      ['failed', c.failed],
      ['successful', c.successful],
      ['unknown', c.unknown],
    ];
    for (const [result, value] of results) {
      if (value <= 0) continue;
      const labels = [
        ['container', c.container],
        ['namespace', c.namespace],
        ['pod', c.pod],
        ['pod_uid', c.podUid],
        ['probe_type', c.probeType],
        ['result', result],
      ]
        .map(([k, v]) => `${k}="${escapeLabel(v!)}"`)
        .join(',');
      lines.push(`prober_probe_total{${labels}} ${value}`);
    }
  }
  if (lines.length === 0) return '';
  return `# HELP prober_probe_total ${HELP}\n# TYPE prober_probe_total counter\n${lines.sort().join('\n')}\n`;
}
