import { expect } from 'chai';
import { TurnBudget, withinBudget, type TurnClock } from '../../../../src/kubelet/pods/turn-budget.js';

/** A clock the test moves, and turn ends the test triggers. */
class ManualClock implements TurnClock {
  nowMs = 0;
  private ends: Array<() => void> = [];
  now = (): number => this.nowMs;
  atTurnEnd = (fn: () => void): void => void this.ends.push(fn);
  endTurn(): void {
    const ends = this.ends;
    this.ends = [];
    for (const fn of ends) fn();
  }
}

describe('withinBudget', () => {
  const cases: Array<{ startedMs: number | undefined; nowMs: number; budgetMs: number; want: boolean }> = [
    { startedMs: undefined, nowMs: 100, budgetMs: 10, want: true },
    { startedMs: 100, nowMs: 100, budgetMs: 10, want: true },
    { startedMs: 100, nowMs: 109.9, budgetMs: 10, want: true },
    { startedMs: 100, nowMs: 110, budgetMs: 10, want: false },
    { startedMs: 100, nowMs: 500, budgetMs: 10, want: false },
    { startedMs: 100, nowMs: 100, budgetMs: 0, want: false },
  ];
  for (const c of cases) {
    it(`started ${c.startedMs}, now ${c.nowMs}, budget ${c.budgetMs} ms: ${c.want}`, () => {
      expect(withinBudget(c.startedMs, c.nowMs, c.budgetMs)).to.equal(c.want);
    });
  }
});

describe('TurnBudget', () => {
  it("grants the turn's first start whatever the budget, then starts while the budget lasts", () => {
    const clock = new ManualClock();
    const budget = new TurnBudget(10, clock);
    clock.nowMs = 1000;
    expect(budget.tryStart()).to.equal(true);
    clock.nowMs = 1009;
    expect(budget.tryStart()).to.equal(true);
    clock.nowMs = 1010;
    expect(budget.tryStart()).to.equal(false);
    expect(budget.tryStart()).to.equal(false);
  });

  it("a new turn starts a new clock, from that turn's first start", () => {
    const clock = new ManualClock();
    const budget = new TurnBudget(10, clock);
    expect(budget.tryStart()).to.equal(true);
    clock.nowMs = 50;
    expect(budget.tryStart()).to.equal(false);
    clock.endTurn();
    expect(budget.tryStart()).to.equal(true);
    clock.nowMs = 55;
    expect(budget.tryStart()).to.equal(true);
  });

  it('a budget of 0 grants only the first start of each turn', () => {
    const clock = new ManualClock();
    const budget = new TurnBudget(0, clock);
    expect([budget.tryStart(), budget.tryStart()]).to.deep.equal([true, false]);
    clock.endTurn();
    expect([budget.tryStart(), budget.tryStart()]).to.deep.equal([true, false]);
  });

  it('the real clock ends a turn at setImmediate', async () => {
    const budget = new TurnBudget(0);
    expect([budget.tryStart(), budget.tryStart()]).to.deep.equal([true, false]);
    await new Promise((r) => setImmediate(r));
    expect(budget.tryStart()).to.equal(true);
  });
});
