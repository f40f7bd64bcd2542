import { expect } from 'chai';
import { batchWarnings } from '../../../bench/scenarios/pod-waits.js';

describe('bench scenario warnings', () => {
  const ok = { ok: 10, failed: 0, errors: [] };
  const done = { reached: 10, timedOut: false };

  it('a clean run has no warnings', () => {
    expect(batchWarnings('burst', 10, ok, ok, 0, done, done)).to.deep.equal([]);
  });

  it('names failed requests with the first error, failed pods and how far timed-out waits got', () => {
    const failed = { ok: 8, failed: 2, errors: ['POST: 500 boom', 'POST: 500 again'] };
    expect(
      batchWarnings(
        'footprint',
        10,
        failed,
        failed,
        3,
        { reached: 7, timedOut: true },
        { reached: 1, timedOut: true },
      ),
    ).to.deep.equal([
      'footprint: 2 of 10 create requests failed (POST: 500 boom)',
      'footprint: 2 of 10 delete requests failed (POST: 500 boom)',
      'footprint: 3 pods ended Failed instead of Succeeded',
      'footprint: only 7 of 10 pods got there before the wait timed out',
      'footprint: only 1 of 10 pods were gone before the wait timed out',
    ]);
  });
});
