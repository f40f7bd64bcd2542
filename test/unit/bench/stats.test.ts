import { expect } from 'chai';
import { pairedDeltas, percentileOfSorted, summarize } from '../../../bench/stats.js';

describe('bench stats', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('uses nearest rank: p50 of 1..100 is 50, p90 is 90, p99 is 99', () => {
    expect(percentileOfSorted(hundred, 50)).to.equal(50);
    expect(percentileOfSorted(hundred, 90)).to.equal(90);
    expect(percentileOfSorted(hundred, 99)).to.equal(99);
    expect(percentileOfSorted(hundred, 100)).to.equal(100);
  });

  it('p99 of ten samples is the largest (no interpolation below it)', () => {
    expect(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 99)).to.equal(1000);
    expect(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 90)).to.equal(9);
  });

  it('a single sample is every percentile; none is NaN', () => {
    expect(percentileOfSorted([7], 50)).to.equal(7);
    expect(percentileOfSorted([7], 99)).to.equal(7);
    expect(percentileOfSorted([], 50)).to.be.NaN;
  });

  it('summarize sorts its input and drops non-finite samples', () => {
    const s = summarize([5, Number.NaN, 1, 3, Infinity]);
    expect(s).to.deep.equal({ count: 3, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
    expect(summarize([]).count).to.equal(0);
    expect(summarize([]).max).to.be.NaN;
  });

  it('pairs timestamps by key and counts the ones missing on either side', () => {
    const start = new Map([
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
    const end = new Map([
      ['a', 150],
      ['c', 310],
      ['d', 999],
    ]);
    expect(pairedDeltas(['a', 'b', 'c', 'd'], start, end)).to.deep.equal({ values: [50, 10], missing: 2 });
  });
});
