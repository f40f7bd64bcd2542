import { expect } from 'chai';
import {
  AGGREGATE_MAX_MESSAGES,
  AGGREGATE_MESSAGE_PREFIX,
  AGGREGATE_WINDOW_MS,
  EventCorrelator,
  SPAM_BURST,
  SPAM_REFILL_MS,
  type CorrelatedInput,
} from '../../../../src/kubelet/pods/event-correlator.js';

const started = (n: number, object = 'ns\u0000p\u0000u'): CorrelatedInput => ({
  object,
  type: 'Normal',
  reason: 'Started',
  message: `Started container c${n}`,
});

describe('EventCorrelator', () => {
  let nowMs: number;
  let correlator: EventCorrelator;
  beforeEach(() => {
    nowMs = 1_000_000;
    correlator = new EventCorrelator(() => nowMs);
  });

  describe('aggregate', () => {
    it('writes similar events as they are up to the 9th distinct message, then as the aggregate', () => {
      const results = Array.from({ length: 12 }, (_, n) => correlator.aggregate(started(n)));
      expect(results.slice(0, AGGREGATE_MAX_MESSAGES - 1).every((r) => !r.aggregated)).to.equal(true);
      const rest = results.slice(AGGREGATE_MAX_MESSAGES - 1);
      expect(rest.map((r) => r.aggregated)).to.deep.equal([true, true, true]);
      expect(rest[0]!.message).to.equal(`${AGGREGATE_MESSAGE_PREFIX}Started container c9`);
      const groups = new Set(rest.map((r) => (r.aggregated ? r.group : '')));
      expect(groups.size, 'one aggregate per group').to.equal(1);
    });

    const cases: Array<{ name: string; second: (n: number) => CorrelatedInput }> = [
      { name: 'another reason', second: (n) => ({ ...started(n), reason: 'Killing' }) },
      { name: 'another type', second: (n) => ({ ...started(n), type: 'Warning' }) },
      { name: 'another pod', second: (n) => started(n, 'ns\u0000q\u0000v') },
    ];
    for (const c of cases) {
      it(`keeps groups apart: ${c.name}`, () => {
        for (let n = 0; n < AGGREGATE_MAX_MESSAGES - 1; n++) correlator.aggregate(started(n));
        expect(correlator.aggregate(c.second(100)).aggregated).to.equal(false);
        expect(correlator.aggregate(started(100)).aggregated).to.equal(true);
      });
    }

    it('a repeated message does not count as a new one (repeats fold by their own key)', () => {
      for (let i = 0; i < 50; i++) expect(correlator.aggregate(started(1)).aggregated).to.equal(false);
    });

    it('a group quiet for longer than the window starts afresh', () => {
      for (let n = 0; n < AGGREGATE_MAX_MESSAGES; n++) correlator.aggregate(started(n));
      nowMs += AGGREGATE_WINDOW_MS + 1;
      expect(correlator.aggregate(started(50)).aggregated).to.equal(false);
    });
  });

  describe('admit', () => {
    it('lets SPAM_BURST writes about an object through at once, then one per SPAM_REFILL_MS', () => {
      const admitted = Array.from({ length: SPAM_BURST + 3 }, () => correlator.admit('o'));
      expect(admitted.filter(Boolean)).to.have.length(SPAM_BURST);
      expect(admitted.slice(SPAM_BURST)).to.deep.equal([false, false, false]);
      nowMs += SPAM_REFILL_MS / 2;
      expect(correlator.admit('o'), 'half a refill').to.equal(false);
      nowMs += SPAM_REFILL_MS / 2;
      expect(correlator.admit('o')).to.equal(true);
      expect(correlator.admit('o')).to.equal(false);
    });

    it('refills up to the burst, not beyond', () => {
      for (let i = 0; i < SPAM_BURST; i++) correlator.admit('o');
      nowMs += SPAM_REFILL_MS * SPAM_BURST * 10;
      const admitted = Array.from({ length: SPAM_BURST + 1 }, () => correlator.admit('o'));
      expect(admitted.filter(Boolean)).to.have.length(SPAM_BURST);
    });

    it('keeps a bucket per object', () => {
      for (let i = 0; i < SPAM_BURST; i++) correlator.admit('o');
      expect(correlator.admit('o')).to.equal(false);
      expect(correlator.admit('other')).to.equal(true);
    });

    it('forgets the least recently used objects beyond its cache (a forgotten object starts full)', () => {
      const small = new EventCorrelator(() => nowMs, 2);
      for (let i = 0; i < SPAM_BURST; i++) small.admit('a');
      small.admit('b');
      small.admit('c');
      expect(small.admit('a')).to.equal(true);
    });
  });
});
