/**
 * Formats a sample value as Go's strconv.FormatFloat(v, 'g', -1, 64) does,
 * which is what the Prometheus Go client writes (e.g. `1.7e+09`, `0.25`). Pure.
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return '0';
  // toExponential() without digits gives the shortest round-tripping digits, as Go does.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return formatFixed(value, mantissa, exponent);
}

function formatFixed(value: number, mantissa: string, exponent: number): string {
  const negative = value < 0;
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exponent >= 0) {
    text =
      digits.length <= exponent + 1
        ? digits.padEnd(exponent + 1, '0')
        : `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** Escapes a label value for the text exposition format. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** One sample of a family: label pairs in output order, value, optional timestamp. */
export interface PromSample {
  labels: Array<[string, string]>;
  value: number;
  timestampMs?: number;
}

export interface PromFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: PromSample[];
}

/**
 * Renders families in the text format 0.0.4 the way the Go client gathers
 * them: families sorted by name, samples by label values, empty families
 * left out. Pure.
 */
export function renderPrometheusText(families: PromFamily[]): string {
  const lines: string[] = [];
  for (const family of [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    const samples = [...family.samples].sort((a, b) => compareLabels(a.labels, b.labels));
    for (const sample of samples) {
      const labels =
        sample.labels.length === 0
          ? ''
          : `{${sample.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
      const timestamp = sample.timestampMs === undefined ? '' : ` ${Math.trunc(sample.timestampMs)}`;
      lines.push(`${family.name}${labels} ${formatGoFloat(sample.value)}${timestamp}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function compareLabels(a: Array<[string, string]>, b: Array<[string, string]>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]?.[1] ?? '';
    const y = b[i]?.[1] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
