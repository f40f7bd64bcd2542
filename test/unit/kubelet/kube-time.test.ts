import { expect } from 'chai';
import { rfc3339 } from '../../../src/kubelet/kube-time.js';

describe('rfc3339', () => {
  const cases: Array<[string, number, string]> = [
    ['a whole second', Date.parse('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05Z'],
    ['milliseconds are cut, not rounded', Date.parse('2026-01-02T03:04:05.999Z'), '2026-01-02T03:04:05Z'],
    ['the epoch', 0, '1970-01-01T00:00:00Z'],
    ['before the epoch, down to the second', -1, '1969-12-31T23:59:59Z'],
  ];
  for (const [name, ms, expected] of cases) {
    it(`formats ${name}`, () => {
      expect(rfc3339(ms)).to.equal(expected);
      expect(rfc3339(ms), 'remembered').to.equal(expected);
    });
  }

  it('formats each second once, however often it is asked for', () => {
    const original = Date.prototype.toISOString;
    let calls = 0;
    Date.prototype.toISOString = function (this: Date): string {
      calls++;
      return original.call(this);
    };
    try {
      const base = Date.parse('2031-05-06T07:08:09Z');
      for (let i = 0; i < 100; i++) rfc3339(base + (i % 3) * 1000 + (i % 1000));
      expect(calls).to.equal(3);
    } finally {
      Date.prototype.toISOString = original;
    }
  });

  it('still formats correctly after forgetting (more seconds than it remembers)', () => {
    const base = Date.parse('2032-01-01T00:00:00Z');
    for (let i = 0; i < 1000; i++) {
      expect(rfc3339(base + i * 1000)).to.equal(
        new Date(base + i * 1000).toISOString().replace('.000Z', 'Z'),
      );
    }
  });

  it('throws for a time that is not finite, as toISOString does', () => {
    expect(() => rfc3339(Number.NaN)).to.throw(RangeError);
  });
});
