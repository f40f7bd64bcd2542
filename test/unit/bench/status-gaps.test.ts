import { expect } from 'chai';
import { laggingRunnerStream } from '../../../bench/scenarios/latency-scenario.js';
import { statusWriteGaps } from '../../../bench/status-gaps.js';

const m = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('bench status write gaps', () => {
  it('times every runner transition until the API watch shows it', () => {
    const gaps = statusWriteGaps(
      ['a', 'b'],
      { running: m({ a: 100, b: 200 }), terminated: m({ a: 1100, b: 1200 }) },
      { running: m({ a: 130, b: 260 }), terminated: m({ a: 1110, b: 1500 }) },
    );
    expect(gaps.running).to.deep.equal({ values: [30, 60], missing: 0 });
    expect(gaps.terminated).to.deep.equal({ values: [10, 300], missing: 0 });
    expect(gaps.all.values).to.have.members([30, 60, 10, 300]);
    expect(gaps.all.missing).to.equal(0);
  });

  it('a later state on the API settles an earlier due one (Running skipped)', () => {
    const gaps = statusWriteGaps(
      ['a'],
      { running: m({ a: 100 }), terminated: m({ a: 150 }) },
      { running: m({}), terminated: m({ a: 400 }) },
    );
    expect(gaps.running.values).to.deep.equal([300]);
    expect(gaps.terminated.values).to.deep.equal([250]);
  });

  it('takes whichever of Running and Terminated the API showed first', () => {
    // A re-list can record Terminated before a late Running sighting.
    const gaps = statusWriteGaps(
      ['a'],
      { running: m({ a: 100 }), terminated: m({ a: 150 }) },
      { running: m({ a: 900 }), terminated: m({ a: 400 }) },
    );
    expect(gaps.running.values).to.deep.equal([300]);
  });

  it('counts transitions the API never showed as missing, and ignores those the runner never reported', () => {
    const gaps = statusWriteGaps(
      ['a', 'b', 'c'],
      { running: m({ a: 100, b: 100 }), terminated: m({ a: 200 }) },
      { running: m({ a: 120, c: 50 }), terminated: m({ c: 60 }) },
    );
    expect(gaps.running).to.deep.equal({ values: [20], missing: 1 });
    expect(gaps.terminated).to.deep.equal({ values: [], missing: 1 });
    expect(gaps.all).to.deep.equal({ values: [20], missing: 2 });
  });

  it('keeps a negative gap: the two watches are separate streams', () => {
    const gaps = statusWriteGaps(
      ['a'],
      { running: m({ a: 100 }), terminated: m({}) },
      { running: m({ a: 98 }), terminated: m({}) },
    );
    expect(gaps.running.values).to.deep.equal([-2]);
  });
});

describe('bench: a lagging runner stream', () => {
  it('warns when more than 5 % of transitions reached the API 50 ms before the runner stream', () => {
    expect(laggingRunnerStream('latency', [10, 20, -10, -49])).to.deep.equal([]);
    expect(
      laggingRunnerStream('latency', [...Array<number>(95).fill(10), ...Array<number>(4).fill(-60)]),
    ).to.deep.equal([]);
    const w = laggingRunnerStream('contended', [
      ...Array<number>(90).fill(10),
      ...Array<number>(10).fill(-60),
    ]);
    expect(w).to.have.length(1);
    expect(w[0]).to.match(/^contended: 10 of 100 transitions reached the API watch more than 50 ms before/);
  });
});
