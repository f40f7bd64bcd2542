/** One curve: latency samples in ms; `missing` samples never arrived and keep the curve below 1. */
export interface CdfSeries {
  name: string;
  values: readonly number[];
  missing: number;
  color: string;
}

/** A vertical line at a target, e.g. "contended p99 <= 1 s". */
export interface TargetLine {
  label: string;
  atMs: number;
  color: string;
}

export interface CdfPanel {
  title: string;
  series: CdfSeries[];
  targets: TargetLine[];
}

const PANEL_W = 460;
const PANEL_H = 400;
const MARGIN = { left: 58, right: 16, top: 56, bottom: 135 };
const PLOT_W = PANEL_W - MARGIN.left - MARGIN.right;
const PLOT_H = PANEL_H - MARGIN.top - MARGIN.bottom;
const HEADER_H = 44;

/** Text for an SVG text node or attribute. Pure. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** "5 ms", "1 s": a tick or target in the unit a reader expects. Pure. */
export function formatMs(valueMs: number): string {
  if (valueMs >= 1000) return `${+(valueMs / 1000).toPrecision(3)} s`;
  return `${+valueMs.toPrecision(3)} ms`;
}

/** Whole decades covering every sample and target, at least 1 ms to 1 s. Pure. */
export function logDomain(panels: readonly CdfPanel[]): [number, number] {
  const all = panels.flatMap((p) => [
    ...p.series.flatMap((s) => [...s.values]),
    ...p.targets.map((t) => t.atMs),
  ]);
  const positive = all.filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.min(1, ...positive);
  const hi = Math.max(1000, ...positive);
  return [10 ** Math.floor(Math.log10(Math.max(lo, 0.01))), 10 ** Math.ceil(Math.log10(hi))];
}

/**
 * An SVG of empirical CDFs, one panel per latency, side by side: the fraction
 * of pods (y, linear) whose latency is at most x (ms, log scale), a step per
 * sample, a dotted line at 0.99, and a dashed vertical line per target.
 * Samples at or below the domain's start are drawn at its start. Pure.
 */
export function cdfSvg(panels: readonly CdfPanel[], title: string, subtitle = ''): string {
  const [xMin, xMax] = logDomain(panels);
  const x = (ms: number): number =>
    MARGIN.left +
    (PLOT_W * (Math.log10(Math.max(ms, xMin)) - Math.log10(xMin))) / (Math.log10(xMax) - Math.log10(xMin));
  const y = (fraction: number): number => MARGIN.top + PLOT_H * (1 - fraction);
  const width = PANEL_W * Math.max(1, panels.length);
  const height = PANEL_H + HEADER_H;
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="12" y="36" fill="#555555">${escapeXml(subtitle)}</text>`,
  ];
  panels.forEach((panel, i) => {
    out.push(`<g class="panel" transform="translate(${PANEL_W * i},${HEADER_H})">`);
    out.push(...axes(panel.title, xMin, xMax, x, y));
    for (const t of panel.targets) {
      const tx = x(t.atMs).toFixed(1);
      out.push(
        `<line class="target" x1="${tx}" y1="${MARGIN.top}" x2="${tx}" y2="${MARGIN.top + PLOT_H}" stroke="${t.color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      );
    }
    for (const s of panel.series) out.push(seriesPath(s, x, y));
    out.push(...legend(panel));
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function axes(
  title: string,
  xMin: number,
  xMax: number,
  x: (ms: number) => number,
  y: (f: number) => number,
): string[] {
  const out = [
    `<text x="${MARGIN.left}" y="${MARGIN.top - 14}" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#888888"/>`,
  ];
  for (let decade = xMin; decade <= xMax * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = decade * m;
      if (v > xMax * 1.0001) break;
      const px = x(v).toFixed(1);
      out.push(
        `<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + PLOT_H}" stroke="#eeeeee"/>`,
      );
      if (m === 1)
        out.push(
          `<text x="${px}" y="${MARGIN.top + PLOT_H + 14}" text-anchor="middle">${formatMs(v)}</text>`,
        );
    }
  }
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const py = y(f).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" y1="${py}" x2="${MARGIN.left + PLOT_W}" y2="${py}" stroke="#eeeeee"/>`,
    );
    out.push(`<text x="${MARGIN.left - 6}" y="${py}" dy="4" text-anchor="end">${f}</text>`);
  }
  const p99 = y(0.99).toFixed(1);
  out.push(
    `<line x1="${MARGIN.left}" y1="${p99}" x2="${MARGIN.left + PLOT_W}" y2="${p99}" stroke="#999999" stroke-dasharray="2 3"/>`,
    `<text x="${MARGIN.left + PLOT_W - 4}" y="${p99}" dy="10" text-anchor="end" fill="#777777">p99</text>`,
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${MARGIN.top + PLOT_H + 30}" text-anchor="middle">latency (ms, log scale)</text>`,
    `<text transform="translate(14,${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">fraction of pods</text>`,
  );
  return out;
}

function seriesPath(s: CdfSeries, x: (ms: number) => number, y: (f: number) => number): string {
  const sorted = s.values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const total = sorted.length + s.missing;
  const parts: string[] = [];
  if (total > 0 && sorted.length > 0) {
    parts.push(`M${x(sorted[0]!).toFixed(1)},${y(0).toFixed(1)}`);
    sorted.forEach((v, i) => {
      parts.push(`H${x(v).toFixed(1)}`, `V${y((i + 1) / total).toFixed(1)}`);
    });
    parts.push(`H${(MARGIN.left + PLOT_W).toFixed(1)}`);
  }
  return `<path class="series" data-series="${escapeXml(s.name)}" d="${parts.join('')}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
}

function legend(panel: CdfPanel): string[] {
  const out: string[] = [];
  let row = 0;
  const top = MARGIN.top + PLOT_H + 46;
  const item = (color: string, dashed: boolean, text: string): void => {
    const ly = top + 14 * row++;
    out.push(
      `<line x1="${MARGIN.left}" y1="${ly}" x2="${MARGIN.left + 22}" y2="${ly}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${MARGIN.left + 28}" y="${ly}" dy="4">${escapeXml(text)}</text>`,
    );
  };
  for (const s of panel.series) {
    const n = s.values.length + s.missing;
    item(s.color, false, `${s.name} (${n} pods${s.missing ? `, ${s.missing} never seen` : ''})`);
  }
  for (const t of panel.targets) item(t.color, true, `target: ${t.label}`);
  return out;
}
