/** One sample of a Prometheus text exposition: labels and value. */
export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Samples of metric `name` (exact name, no suffix matching) from Prometheus
 * text format 0.0.4. Pure; comments and other metrics are skipped.
 */
export function parseSamples(text: string, name: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!line.startsWith(name)) continue;
    const after = line.slice(name.length);
    let labels: Record<string, string> = {};
    let valueText: string;
    if (after.startsWith('{')) {
      const close = findLabelsEnd(after);
      if (close === -1) continue;
      labels = parseLabels(after.slice(1, close));
      valueText = after.slice(close + 1).trim();
    } else if (after.startsWith(' ')) {
      valueText = after.trim();
    } else {
      continue; // another metric whose name starts with `name`
    }
    const value = Number(valueText.split(/\s+/)[0]);
    if (!Number.isNaN(value)) samples.push({ labels, value });
  }
  return samples;
}

function findLabelsEnd(text: string): number {
  let inQuotes = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && inQuotes) i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (c === '}' && !inQuotes) return i;
  }
  return -1;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

/** Per-series difference `after - before`, keyed by the sorted label set; series new in `after` count from 0. */
export function counterDeltas(
  before: readonly PromSample[],
  after: readonly PromSample[],
): Map<string, number> {
  const key = (s: PromSample): string =>
    Object.entries(s.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  const start = new Map(before.map((s) => [key(s), s.value]));
  const deltas = new Map<string, number>();
  for (const s of after) {
    const delta = s.value - (start.get(key(s)) ?? 0);
    if (delta !== 0) deltas.set(key(s), delta);
  }
  return deltas;
}
