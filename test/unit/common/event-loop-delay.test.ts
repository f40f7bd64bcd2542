import { createHistogram } from 'node:perf_hooks';
import { expect } from 'chai';
import {
  EVENT_LOOP_DELAY_BOUNDS_MS,
  EventLoopDelayMonitor,
  countAtOrBelow,
  quantileUpperBoundMs,
  subtractTotals,
  type EventLoopDelayTotals,
} from '../../../src/common/event-loop-delay.js';

const totals = (
  cumulativeCounts: number[],
  count: number,
  maxMs: number,
  sumMs = 0,
): EventLoopDelayTotals => ({
  boundsMs: [10, 50, 100],
  cumulativeCounts,
  count,
  sumMs,
  maxMs,
});

describe('event-loop delay totals', () => {
  it('counts the sorted samples at or below a limit by binary search', () => {
    const samples = [1, 2, 2, 5, 9, 9, 9, 30];
    const at = (k: number): number => (k <= 0 ? -Infinity : samples[k - 1]!);
    const table: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [2, 3],
      [4, 3],
      [9, 7],
      [29, 7],
      [30, 8],
      [1000, 8],
    ];
    for (const [limit, expected] of table)
      expect(countAtOrBelow(samples.length, at, limit), `<= ${limit}`).to.equal(expected);
    expect(countAtOrBelow(0, at, 5)).to.equal(0);
    // A known lower count narrows the search without changing the answer.
    expect(countAtOrBelow(samples.length, at, 9, 3)).to.equal(7);
  });

  it("lands on the k-th sample through HdrHistogram's percentile rounding", () => {
    // The same percentile arithmetic the monitor uses on its IntervalHistogram.
    const h = createHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1000); // 1..1000 us, in ns
    for (const v of values) h.record(v);
    const at = (k: number): number => (k <= 0 ? -Infinity : h.percentile((100 * (k - 0.25)) / h.count));
    for (const limitUs of [1, 10, 499, 500, 999, 1000]) {
      expect(countAtOrBelow(h.count, at, limitUs * 1000 + 500), `<= ${limitUs} us`).to.equal(limitUs);
    }
  });

  it('reads a quantile as the upper bound of the bucket holding it', () => {
    // 100 samples: 90 <= 10 ms, 9 in (10, 50], 1 in (50, 100]
    const t = totals([90, 99, 100], 100, 80);
    expect(quantileUpperBoundMs(t, 0.5)).to.equal(10);
    expect(quantileUpperBoundMs(t, 0.9)).to.equal(10);
    expect(quantileUpperBoundMs(t, 0.99)).to.equal(50);
    expect(quantileUpperBoundMs(t, 1)).to.equal(100);
    expect(quantileUpperBoundMs(totals([0, 0, 0], 3, 500), 0.5)).to.equal(Infinity);
    expect(quantileUpperBoundMs(totals([0, 0, 0], 0, 0), 0.99)).to.be.NaN;
  });

  it('takes a window as the difference of two readings', () => {
    const before = totals([90, 99, 100], 100, 80, 300);
    const after = totals([190, 199, 200], 200, 80, 700);
    const w = subtractTotals(before, after);
    expect(w.cumulativeCounts).to.deep.equal([100, 100, 100]);
    expect(w.count).to.equal(100);
    expect(w.sumMs).to.equal(400);
    // The all-time max did not move: the window's max is its highest bucket's bound.
    expect(w.maxMs).to.equal(10);
    expect(w.maxExact).to.equal(false);
    expect(quantileUpperBoundMs(w, 0.99)).to.equal(10);
  });

  it('knows the exact window max when the all-time max rose during it', () => {
    const w = subtractTotals(totals([90, 99, 100], 100, 80), totals([90, 99, 101], 101, 97));
    expect(w.maxMs).to.equal(97);
    expect(w.maxExact).to.equal(true);
  });

  it('has 50 ms among its bounds, so "p99 <= 50 ms" is judged exactly', () => {
    expect(EVENT_LOOP_DELAY_BOUNDS_MS).to.include(50);
    expect([...EVENT_LOOP_DELAY_BOUNDS_MS]).to.deep.equal(
      [...EVENT_LOOP_DELAY_BOUNDS_MS].sort((a, b) => a - b),
    );
  });
});

describe('EventLoopDelayMonitor', () => {
  // Each sample wakes the process: an idle runner used 8.5-11.5 ms of CPU per second sampled every 10 ms.
  it('wakes an idle process about 20 times a second, not 100', async () => {
    const monitor = new EventLoopDelayMonitor();
    try {
      const startedMs = Date.now();
      const before = monitor.totals().count;
      await new Promise((r) => setTimeout(r, 600));
      const seconds = (Date.now() - startedMs) / 1000;
      const samples = monitor.totals().count - before;
      expect(samples).to.be.at.least(1);
      expect(samples / seconds).to.be.at.most(30);
    } finally {
      monitor.stop();
    }
  });
});
