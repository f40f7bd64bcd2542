import type { WireTime } from './kube/wire-types.js';

/** Seconds whose metav1.Time text is remembered; cleared when full (times cluster around now). */
const MAX_FORMATTED_SECONDS = 256;
const formatted = new Map<number, WireTime>();

/**
 * Kubernetes `metav1.Time`: RFC 3339 with second precision, as the API server
 * stores it. A pod's status is computed on every sync with the same few
 * times (its containers' start and finish, now), so each second's text is
 * formatted once and remembered. Throws a RangeError for a time that is not
 * finite, as Date#toISOString does.
 */
export function rfc3339(ms: number): WireTime {
  const second = Math.floor(ms / 1000);
  let text = formatted.get(second);
  if (text === undefined) {
    text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    if (formatted.size >= MAX_FORMATTED_SECONDS) formatted.clear();
    formatted.set(second, text);
  }
  return text;
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
