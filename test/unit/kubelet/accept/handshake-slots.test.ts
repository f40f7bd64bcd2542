import { expect } from 'chai';
import { HandshakeSlots } from '../../../../src/kubelet/accept/handshake-slots.js';

describe('HandshakeSlots: at most N handshakes at once, the rest in turn', () => {
  type Step = ['enqueue' | 'remove', string] | ['release'];
  const cases: Array<{ name: string; max: number; steps: Step[]; started: string[]; queued: number }> = [
    {
      name: 'starts at once while slots are free',
      max: 2,
      steps: [
        ['enqueue', 'a'],
        ['enqueue', 'b'],
      ],
      started: ['a', 'b'],
      queued: 0,
    },
    {
      name: 'queues beyond the cap and starts the next, first come first served, as each ends',
      max: 2,
      steps: [['enqueue', 'a'], ['enqueue', 'b'], ['enqueue', 'c'], ['enqueue', 'd'], ['release']],
      started: ['a', 'b', 'c'],
      queued: 1,
    },
    {
      name: 'a connection that closed while queued is skipped',
      max: 1,
      steps: [['enqueue', 'a'], ['enqueue', 'b'], ['enqueue', 'c'], ['remove', 'b'], ['release']],
      started: ['a', 'c'],
      queued: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const started: string[] = [];
      const slots = new HandshakeSlots<string>(c.max, (item) => started.push(item));
      for (const step of c.steps) {
        if (step[0] === 'enqueue') slots.enqueue(step[1]);
        else if (step[0] === 'remove') slots.remove(step[1]);
        else slots.release();
      }
      expect(started).to.deep.equal(c.started);
      expect(slots.queued()).to.equal(c.queued);
      expect(slots.inProgress()).to.be.at.most(c.max);
    });
  }

  it('refuses a cap below one', () => {
    expect(() => new HandshakeSlots(0, () => undefined)).to.throw(RangeError);
  });
});
