import { expect } from 'chai';
import {
  planResync,
  resyncDelayMs,
  resyncSlackMs,
  type ResyncFacts,
} from '../../../../src/kubelet/pods/resync-schedule.js';

type Pod = ResyncFacts & { name: string };

function pod(name: string, syncStartedAtMs: number, state: 'idle' | 'syncing' | 'queued' = 'idle'): Pod {
  return { name, syncStartedAtMs, syncing: state === 'syncing', queued: state === 'queued' };
}

describe('planResync', () => {
  const intervalMs = 60_000;
  const cases: Array<{
    name: string;
    pods: Pod[];
    nowMs: number;
    slackMs: number;
    due: string[];
    next?: number;
  }> = [
    { name: 'no pods: nothing due, nothing next', pods: [], nowMs: 100_000, slackMs: 1000, due: [] },
    {
      name: 'a pod synced a whole interval ago is due; one synced since is next',
      pods: [pod('old', 40_000), pod('recent', 90_000)],
      nowMs: 100_000,
      slackMs: 0,
      due: ['old'],
      next: 150_000,
    },
    {
      name: 'a pod due within the slack goes with the first',
      pods: [pod('a', 40_000), pod('b', 40_900), pod('c', 41_100)],
      nowMs: 100_000,
      slackMs: 1000,
      due: ['a', 'b'],
      next: 101_100,
    },
    {
      name: 'without slack only the pod already due',
      pods: [pod('a', 40_000), pod('b', 40_900)],
      nowMs: 100_000,
      slackMs: 0,
      due: ['a'],
      next: 100_900,
    },
    {
      name: 'a pod syncing or waiting for a turn is neither due nor next',
      pods: [pod('busy', 0, 'syncing'), pod('waiting', 0, 'queued'), pod('idle', 70_000)],
      nowMs: 100_000,
      slackMs: 1000,
      due: [],
      next: 130_000,
    },
    {
      name: 'every pod of a node created together is due at once',
      pods: [pod('a', 40_000), pod('b', 40_000), pod('c', 40_000)],
      nowMs: 100_000,
      slackMs: 1000,
      due: ['a', 'b', 'c'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planResync(c.pods, c.nowMs, intervalMs, c.slackMs);
      expect(plan.due.map((p) => p.name)).to.deep.equal(c.due);
      expect(plan.nextAtMs).to.equal(c.next);
    });
  }
});

describe('resyncDelayMs', () => {
  const cases: Array<{ name: string; next: number | undefined; want: number }> = [
    { name: 'no pod: one interval', next: undefined, want: 60_000 },
    { name: 'until the next pod is due', next: 100_500, want: 500 },
    { name: 'never more than an interval', next: 500_000, want: 60_000 },
    { name: 'a due time already past: at once, not a busy loop of 0 ms', next: 99_000, want: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(resyncDelayMs(c.next, 100_000, 60_000)).to.equal(c.want);
    });
  }
});

describe('resyncSlackMs', () => {
  it('is a second for the usual minute, a tenth of a short interval, and never negative', () => {
    expect(resyncSlackMs(60_000)).to.equal(1000);
    expect(resyncSlackMs(5000)).to.equal(500);
    expect(resyncSlackMs(0)).to.equal(0);
  });
});
