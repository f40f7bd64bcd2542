import { expect } from 'chai';
import { pino } from 'pino';
import type { ContainerRecord } from '../../../../src/runner/pods/pod-record.js';
import {
  perPodBounds,
  pickBatch,
  StartQueue,
  type PodStarts,
  type StartHost,
} from '../../../../src/runner/pods/start-queue.js';

const limits = { total: 4, perPod: 2 };
const p = (queued: number, inFlight = 0): PodStarts => ({ queued, inFlight });

describe('start-queue: pickBatch', () => {
  const table: Array<{
    name: string;
    pods: PodStarts[];
    cursor: number;
    take: Array<[number, number]>;
    next: number;
  }> = [
    { name: 'no pods', pods: [], cursor: 3, take: [], next: 0 },
    { name: 'one pod: up to its bound', pods: [p(10)], cursor: 0, take: [[0, 2]], next: 0 },
    {
      name: 'a huge pod and a small one: turns, each within its bound',
      pods: [p(1000), p(1)],
      cursor: 0,
      take: [
        [0, 2],
        [1, 1],
      ],
      next: 1,
    },
    {
      name: 'the total bound stops the round where it is; the next turn begins after',
      pods: [p(5), p(5), p(5)],
      cursor: 0,
      take: [
        [0, 2],
        [1, 1],
        [2, 1],
      ],
      next: 1,
    },
    {
      name: 'the cursor gives the next pod the first free slot',
      pods: [p(5), p(5), p(5)],
      cursor: 1,
      take: [
        [1, 2],
        [2, 1],
        [0, 1],
      ],
      next: 2,
    },
    {
      name: 'starts in flight count against both bounds',
      pods: [p(5, 2), p(5, 1), p(1)],
      cursor: 0,
      take: [[1, 1]],
      next: 2,
    },
    { name: 'all slots in flight: nothing', pods: [p(5, 2), p(5, 2)], cursor: 1, take: [], next: 1 },
    { name: 'nothing queued: nothing', pods: [p(0, 1), p(0)], cursor: 0, take: [], next: 0 },
    {
      name: 'a cursor past the end wraps',
      pods: [p(1), p(1)],
      cursor: 7,
      take: [
        [1, 1],
        [0, 1],
      ],
      next: 1,
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const got = pickBatch(t.pods, t.cursor, limits);
      expect([...got.take].sort((a, b) => a[0] - b[0])).to.deep.equal(
        [...t.take].sort((a, b) => a[0] - b[0]),
      );
      expect(got.cursor).to.equal(t.next);
    });
  }
});

describe('start-queue: perPodBounds', () => {
  const fair = { total: 16, perPod: 4, behindSmaller: 1 };
  const table: Array<{
    name: string;
    pods: PodStarts[];
    limits: typeof fair | typeof limits;
    want: number[];
  }> = [
    { name: 'without behindSmaller: perPod for all', pods: [p(1000), p(1)], limits, want: [2, 2] },
    { name: 'a huge pod beside a small queued one: 1', pods: [p(1000), p(1)], limits: fair, want: [1, 4] },
    {
      name: 'a small pod in flight counts as pending',
      pods: [p(996, 4), p(0, 1)],
      limits: fair,
      want: [1, 4],
    },
    { name: 'equal pods: perPod', pods: [p(3), p(3)], limits: fair, want: [4, 4] },
    { name: 'the huge pod alone: perPod', pods: [p(900, 4), p(0)], limits: fair, want: [4, 4] },
    {
      name: 'only the smallest pending count keeps perPod',
      pods: [p(50), p(2), p(1, 1), p(0, 2)],
      limits: fair,
      want: [1, 4, 4, 4],
    },
    {
      name: 'behindSmaller above perPod: perPod',
      pods: [p(10), p(1)],
      limits: { total: 16, perPod: 2, behindSmaller: 3 },
      want: [2, 2],
    },
  ];
  for (const t of table) it(t.name, () => expect(perPodBounds(t.pods, t.limits)).to.deep.equal(t.want));

  it('pickBatch: the huge pod keeps one start in flight while a small pod is pending', () => {
    const got = pickBatch([p(1000, 1), p(1)], 0, fair);
    expect([...got.take]).to.deep.equal([[1, 1]]);
    const alone = pickBatch([p(1000, 1), p(0)], 0, fair);
    expect([...alone.take]).to.deep.equal([[0, 3]]);
  });
});

describe('start-queue: StartQueue', () => {
  const silent = pino({ level: 'silent' });
  const c = (name: string): ContainerRecord => ({ name }) as ContainerRecord;

  /** A host that records its batches and settles each start when the test says so. */
  class Host implements StartHost {
    batches: string[][] = [];
    open = new Map<string, () => void>();
    constructor(readonly key: string) {}
    startBatch(cs: readonly ContainerRecord[], settled: (c: ContainerRecord) => void): void {
      this.batches.push(cs.map((x) => x.name));
      for (const x of cs) this.open.set(x.name, () => settled(x));
    }
    settle(name: string): void {
      this.open.get(name)!();
      this.open.delete(name);
    }
  }

  it('runs one batch per turn, and a pod queued after a huge one is served in the next free slot', () => {
    const turns: Array<() => void> = [];
    const q = new StartQueue({ total: 2, perPod: 2 }, silent, (fn) => turns.push(fn));
    const huge = new Host('huge');
    const small = new Host('small');
    for (let i = 0; i < 5; i++) q.enqueue(huge, c(`h${i}`));
    turns.shift()!();
    expect(huge.batches).to.deep.equal([['h0', 'h1']]);
    q.enqueue(small, c('s0'));
    // Both slots in flight: the turn takes nothing.
    turns.shift()!();
    expect(small.batches).to.deep.equal([]);
    huge.settle('h0');
    turns.shift()!();
    expect(small.batches).to.deep.equal([['s0']]);
    expect(q.depth).to.deep.equal({ queued: 3, inFlight: 2 });
  });

  it('a huge pod sends no further start while a small pod created beside it is in flight', () => {
    const turns: Array<() => void> = [];
    const q = new StartQueue({ total: 16, perPod: 4 }, silent, (fn) => turns.push(fn));
    const huge = new Host('huge');
    const small = new Host('small');
    for (let i = 0; i < 100; i++) q.enqueue(huge, c(`h${i}`));
    turns.shift()!();
    expect(huge.batches).to.deep.equal([['h0', 'h1', 'h2', 'h3']]);
    q.enqueue(small, c('s0'));
    for (const h of ['h0', 'h1', 'h2', 'h3']) huge.settle(h);
    turns.shift()!();
    // The small pod first, and the huge one down to one start in flight while it is pending.
    expect(small.batches).to.deep.equal([['s0']]);
    expect(huge.batches).to.deep.equal([['h0', 'h1', 'h2', 'h3'], ['h4']]);
    huge.settle('h4');
    turns.shift()!();
    expect(huge.batches.at(-1)).to.deep.equal(['h5']);
    small.settle('s0');
    while (turns.length > 0) turns.shift()!();
    expect(huge.batches.at(-1)).to.deep.equal(['h6', 'h7', 'h8']);
  });

  it('drop() forgets queued starts; those in flight still free their slot', () => {
    const turns: Array<() => void> = [];
    const q = new StartQueue({ total: 1, perPod: 1 }, silent, (fn) => turns.push(fn));
    const a = new Host('a');
    const b = new Host('b');
    q.enqueue(a, c('a0'));
    q.enqueue(a, c('a1'));
    q.enqueue(b, c('b0'));
    turns.shift()!();
    expect(a.batches).to.deep.equal([['a0']]);
    q.drop(a);
    a.settle('a0');
    turns.shift()!();
    expect(b.batches).to.deep.equal([['b0']]);
    expect(q.depth).to.deep.equal({ queued: 0, inFlight: 1 });
  });
});
