import { expect } from 'chai';
import { canonical, canonicalEqual } from '../../../../src/kubelet/kube/canonical.js';

/** What canonicalEqual stands for: the canonical forms written as JSON are the same. */
const byJson = (a: unknown, b: unknown): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** A small deterministic generator (mulberry32), so a failure names a reproducible seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEAVES: unknown[] = [
  undefined,
  null,
  '',
  'a',
  'b',
  0,
  1,
  true,
  false,
  {},
  [],
  '2025-01-01T00:00:00Z',
  '2025-01-01T00:00:00.400Z',
  '2025-01-01T00:00:01Z',
  '2025-01-01T01:00:00+01:00',
];
const KEYS = ['a', 'b', 'c'];

function value(next: () => number, depth: number): unknown {
  const r = next();
  if (depth <= 0 || r < 0.5) return LEAVES[Math.floor(next() * LEAVES.length)];
  if (r < 0.75) return Array.from({ length: Math.floor(next() * 3) }, () => value(next, depth - 1));
  const out: Record<string, unknown> = {};
  for (const k of KEYS) if (next() < 0.6) out[k] = value(next, depth - 1);
  return out;
}

/** A copy with one leaf somewhere replaced (or the same value, often enough to get equal pairs). */
function mutate(v: unknown, next: () => number): unknown {
  if (next() < 0.3) return value(next, 1);
  if (Array.isArray(v)) return v.map((x) => (next() < 0.5 ? mutate(x, next) : x));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = next() < 0.5 ? mutate(x, next) : x;
    return out;
  }
  return v;
}

describe('canonicalEqual', () => {
  it('agrees with comparing canonical forms as JSON', () => {
    let equalPairs = 0;
    for (let seed = 1; seed <= 20_000; seed++) {
      const next = random(seed);
      const a = value(next, 4);
      const b = next() < 0.5 ? mutate(a, next) : structuredClone(a);
      const expected = byJson(a, b);
      if (expected) equalPairs++;
      expect(canonicalEqual(a, b), `seed ${seed}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`).to.equal(
        expected,
      );
      expect(canonicalEqual(b, a), `seed ${seed} (swapped)`).to.equal(expected);
    }
    expect(equalPairs, 'both outcomes are exercised').to.be.within(2000, 18_000);
  });

  it('drops empty members, keeps array places and compares times to the second', () => {
    expect(canonicalEqual({ a: 1, b: null, c: '', d: {}, e: { f: undefined } }, { a: 1 })).to.equal(true);
    expect(canonicalEqual({ a: [] }, {})).to.equal(false);
    expect(canonicalEqual([null], [undefined])).to.equal(true);
    expect(canonicalEqual([{}], [null])).to.equal(false);
    expect(canonicalEqual({ t: '2025-01-01T00:00:00.999Z' }, { t: '2025-01-01T00:00:00Z' })).to.equal(true);
    expect(canonicalEqual({ t: '2025-01-01T00:00:01Z' }, { t: '2025-01-01T00:00:00Z' })).to.equal(false);
    expect(canonicalEqual({ n: 1 }, { n: '1' })).to.equal(false);
  });
});
