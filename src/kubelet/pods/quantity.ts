const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * A Kubernetes resource.Quantity as a plain number of base units ("500m" ->
 * 0.5, "1Gi" -> 1073741824, "1e3" -> 1000). Throws on malformed input.
 */
export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(
    text.trim(),
  );
  if (!match || match[1] === undefined) throw new Error(`invalid quantity "${text}"`);
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) throw new Error(`invalid quantity "${text}"`);
  return base * factor;
}

/** MilliValue as Kubernetes computes it (rounded up). */
export function milliValue(quantity: string | number): number {
  return Math.ceil(parseQuantity(quantity) * 1000 - 1e-9);
}

/** Value as Kubernetes computes it (rounded up). */
export function intValue(quantity: string | number): number {
  return Math.ceil(parseQuantity(quantity) - 1e-9);
}

/** How a quantity was written, which decides how Kubernetes prints it back. */
export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/** The format of a quantity's text, as resource.ParseQuantity records it. Pure. */
export function quantityFormat(text: string | number): QuantityFormat {
  if (typeof text === 'number') return 'DecimalSI';
  if (/(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(text.trim())) return 'BinarySI';
  if (/[eE][+-]?\d+$/.test(text.trim())) return 'DecimalExponent';
  return 'DecimalSI';
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * A whole number of base units printed as resource.Quantity.String() prints
 * it in `format`: the largest suffix that keeps the number whole (1073741824
 * BinarySI -> "1Gi", 1536 MiB -> "1536Mi", 2000 DecimalSI -> "2k"); BinarySI
 * below 1024 prints as DecimalSI. Pure.
 */
export function formatQuantity(value: number, format: QuantityFormat): string {
  const v = Math.round(value);
  if (format === 'BinarySI' && Math.abs(v) >= 1024) {
    let n = v;
    let i = 0;
    while (i < BINARY_SUFFIXES.length - 1 && n % 1024 === 0 && n !== 0) {
      n /= 1024;
      i++;
    }
    return `${n}${BINARY_SUFFIXES[i]}`;
  }
  let n = v;
  let i = 0;
  while (i < DECIMAL_SUFFIXES.length - 1 && n % 1000 === 0 && n !== 0) {
    n /= 1000;
    i++;
  }
  if (format === 'DecimalExponent') return i === 0 ? `${n}` : `${n}e${i * 3}`;
  return `${n}${DECIMAL_SUFFIXES[i]}`;
}
