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

/**
 * `JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))`, without
 * building either: the status writer compares a pod's status on every sync,
 * and the copies, key sorts and strings of the canonical forms were most of
 * that cost. Pure.
 */
export function canonicalEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'string' || typeof b === 'string') return sameString(a, b);
  const aArray = Array.isArray(a);
  if (aArray || Array.isArray(b)) {
    if (!aArray || !Array.isArray(b) || a.length !== (b as unknown[]).length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!sameElement(a[i], (b as unknown[])[i])) return false;
    }
    return true;
  }
  if (isObject(a) && isObject(b)) return sameMembers(a, b);
  // Numbers, booleans, null and undefined as JSON writes them (NaN and Infinity as null).
  return jsonScalar(a) === jsonScalar(b);
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A member canonical() drops: undefined, null, '', or an object whose members are all dropped. */
function dropped(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (!isObject(v)) return false;
  for (const key in v) if (Object.hasOwn(v, key) && !dropped(v[key])) return false;
  return true;
}

function sameMembers(a: Obj, b: Obj): boolean {
  let kept = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) continue;
    const av = a[key];
    if (dropped(av)) continue;
    kept++;
    if (!Object.hasOwn(b, key) || !canonicalEqual(av, b[key])) return false;
  }
  for (const key in b) {
    if (Object.hasOwn(b, key) && !dropped(b[key])) kept--;
  }
  return kept === 0;
}

/** Array elements keep their place: an element canonical() drops from an object stays here (as null when undefined). */
function sameElement(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  return canonicalEqual(a, b);
}

function sameString(a: unknown, b: unknown): boolean {
  // Equal strings were caught by the caller; a time and a non-time never compare equal.
  if (typeof a !== 'string' || typeof b !== 'string' || !RFC3339.test(a) || !RFC3339.test(b)) return false;
  return rfc3339Seconds(Date.parse(a)) === rfc3339Seconds(Date.parse(b));
}

function jsonScalar(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v === undefined ? null : v;
}
