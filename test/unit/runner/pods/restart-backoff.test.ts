import { expect } from 'chai';
import {
  crashLoopMessage,
  formatGoDuration,
  KUBERNETES_BACKOFF,
  nextBackoffMs,
  shouldRestart,
} from '../../../../src/runner/pods/restart-backoff.js';

describe('restart-backoff', () => {
  it('doubles from 10 s to a 5 min cap', () => {
    const seq: number[] = [];
    let b = 0;
    for (let i = 0; i < 8; i++) {
      b = nextBackoffMs(b, 1_000, KUBERNETES_BACKOFF);
      seq.push(b / 1000);
    }
    expect(seq).to.deep.equal([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('resets after a run of 10 minutes', () => {
    expect(nextBackoffMs(300_000, 600_000, KUBERNETES_BACKOFF)).to.equal(10_000);
    expect(nextBackoffMs(300_000, 599_999, KUBERNETES_BACKOFF)).to.equal(300_000);
    expect(nextBackoffMs(20_000, 599_999, KUBERNETES_BACKOFF)).to.equal(40_000);
  });

  const table: Array<[string, 'Always' | 'OnFailure' | 'Never', boolean, boolean, boolean]> = [
    ['Never, failed', 'Never', false, false, false],
    ['Never, succeeded', 'Never', false, true, false],
    ['OnFailure, failed', 'OnFailure', false, false, true],
    ['OnFailure, succeeded', 'OnFailure', false, true, false],
    ['Always, succeeded', 'Always', false, true, true],
    ['Always, failed', 'Always', false, false, true],
    ['init under Always, succeeded', 'Always', true, true, false],
    ['init under Always, failed', 'Always', true, false, true],
    ['init under Never, failed', 'Never', true, false, false],
  ];
  for (const [what, policy, init, succeeded, expected] of table) {
    it(`restart? ${what} -> ${expected}`, () =>
      expect(shouldRestart(policy, init, succeeded)).to.equal(expected));
  }

  it('formats durations and the CrashLoopBackOff message as Kubernetes does', () => {
    expect([10_000, 80_000, 160_000, 300_000, 500, 1_500].map(formatGoDuration)).to.deep.equal([
      '10s',
      '1m20s',
      '2m40s',
      '5m0s',
      '500ms',
      '1.5s',
    ]);
    expect(crashLoopMessage(10_000, 'c1', 'p1')).to.equal(
      'back-off 10s restarting failed container=c1 pod=p1',
    );
  });
});
