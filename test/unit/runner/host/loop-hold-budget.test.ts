import { expect } from 'chai';
import { LoopHoldBudget } from '../../../../src/runner/host/loop-hold-budget.js';

describe('loop-hold-budget', () => {
  it('is due only once the loop was held for longer than the budget', () => {
    let nowMs = 100;
    const budget = new LoopHoldBudget(5, () => nowMs);
    expect(budget.due()).to.equal(false);
    nowMs = 105;
    expect(budget.due()).to.equal(false);
    nowMs = 105.5;
    expect(budget.due()).to.equal(true);
  });

  it('pause gives the event loop a turn and starts a new budget', async () => {
    let nowMs = 0;
    const budget = new LoopHoldBudget(5, () => nowMs);
    nowMs = 6;
    expect(budget.due()).to.equal(true);
    const turns: string[] = [];
    setImmediate(() => {
      turns.push('other work');
      nowMs = 10;
    });
    await budget.pause();
    turns.push('after pause');
    expect(turns).to.deep.equal(['other work', 'after pause']);
    // The new budget starts when the pause ends (at 10), not where the old one did.
    nowMs = 14;
    expect(budget.due()).to.equal(false);
    nowMs = 15.5;
    expect(budget.due()).to.equal(true);
  });
});
