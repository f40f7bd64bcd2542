import { rfc3339Seconds } from '../kube-time.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * A comparable form of an API object as JSON (wire-types.ts): times at second
 * precision (the API server stores metav1.Time so), keys sorted, and
 * null/undefined/empty-string/empty-object members dropped (the API omits
 * them). Two objects the API server would store alike compare equal.
 */
export function canonical(value: unknown): unknown {
  if (typeof value === 'string') return RFC3339.test(value) ? rfc3339Seconds(Date.parse(value)) : value;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v === undefined || v === null || v === '') continue;
      if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
      out[key] = v;
    }
    return out;
  }
  return value;
}
