import { expect } from 'chai';
import { SlotTimer, slotStartMs } from '../../../../src/kubelet/node/slot-timer.js';

describe('slotStartMs', () => {
  const cases: Array<{ name: string; nowMs: number; delayMs: number; want: number }> = [
    { name: 'due mid-slot: the start of that slot', nowMs: 10_200, delayMs: 10_000, want: 20_000 },
    { name: 'due at a slot start: then', nowMs: 10_000, delayMs: 10_000, want: 20_000 },
    {
      name: 'due just before the next slot: early by almost a slot',
      nowMs: 10_999,
      delayMs: 10_000,
      want: 20_000,
    },
    { name: 'due within the current slot: now, never before it', nowMs: 10_200, delayMs: 300, want: 10_200 },
    { name: 'no delay: now', nowMs: 10_200, delayMs: 0, want: 10_200 },
    {
      name: 'a second later from mid-slot: the next slot start, still later than now',
      nowMs: 10_200,
      delayMs: 1000,
      want: 11_000,
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(slotStartMs(c.nowMs, c.delayMs, 1000)).to.equal(c.want));
  }
});

describe('SlotTimer', () => {
  it('runs callbacks due in the same slot from one timer, and a cancelled one not at all', async () => {
    // Slots of 50 ms from a clock the test sets: all three are due in the slot that starts at 1,050.
    let nowMs = 1000;
    const timer = new SlotTimer(50, () => nowMs);
    const ran: string[] = [];
    // A microtask queued by the first runs between timers' callbacks: after 'c' only if 'c' shares a's timer.
    timer.schedule(() => {
      ran.push('a');
      queueMicrotask(() => ran.push('microtask'));
    }, 60);
    nowMs = 1010;
    const cancelB = timer.schedule(() => ran.push('b'), 80);
    timer.schedule(() => ran.push('c'), 45);
    cancelB();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(ran).to.deep.equal(['a', 'c', 'microtask']);
  });

  it('cancelling the last callback of a slot, or clear(), leaves no timer behind', async () => {
    const timer = new SlotTimer(10);
    const ran: string[] = [];
    timer.schedule(() => ran.push('x'), 20)();
    timer.schedule(() => ran.push('y'), 40);
    timer.clear();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(ran).to.deep.equal([]);
  });
});
