import type { WireTime } from './kube/wire-types.js';

/** Kubernetes `metav1.Time`: RFC 3339 with second precision, as the API server stores it. */
export function rfc3339(ms: number): WireTime {
  return rfc3339Seconds(ms).replace('.000Z', 'Z');
}

/** An ISO string truncated to the second (keeps the `.000` of toISOString; for comparisons). */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/**
 * Kubernetes `metav1.MicroTime`: the API server parses exactly six fractional
 * digits, so a JavaScript ISO string (three digits) would be refused.
 */
export function microTime(ms: number): WireTime {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Milliseconds since the epoch for a time the API returned (RFC 3339 or MicroTime), or undefined. */
export function timeMs(value: WireTime | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
