import { expect } from 'chai';
import {
  cpuSharePerNode,
  fleetNodeNames,
  LeaseLateness,
  perNode,
  requestsPerNodePerMinute,
} from '../../../bench/fleet-figures.js';

describe('fleet figures', () => {
  const perNodeCases: Array<[number, number, number, number]> = [
    [60, 160, 100, 1],
    [60, 60, 10, 0],
    [60, 50, 10, -1],
    [60, 160, 0, Number.NaN],
    [Number.NaN, 160, 10, Number.NaN],
  ];
  for (const [before, after, nodes, expected] of perNodeCases) {
    it(`perNode(${before}, ${after}, ${nodes}) = ${expected}`, () =>
      expect(perNode(before, after, nodes)).to.deep.equal(expected));
  }

  const cpuCases: Array<[number, number, number, number]> = [
    [3, 30, 100, 0.001],
    [0, 30, 100, 0],
  ];
  for (const [cpu, window, nodes, expected] of cpuCases) {
    it(`cpuSharePerNode(${cpu}, ${window}, ${nodes}) = ${expected}`, () =>
      expect(cpuSharePerNode(cpu, window, nodes)).to.be.closeTo(expected, 1e-12));
  }
  it('cpuSharePerNode is NaN without a window or nodes', () => {
    expect(cpuSharePerNode(3, 0, 100)).to.be.NaN;
    expect(cpuSharePerNode(3, 30, 0)).to.be.NaN;
  });

  const requestCases: Array<[number, number, number, number]> = [
    [600, 60, 100, 6],
    [600, 30, 100, 12],
    [0, 30, 100, 0],
  ];
  for (const [requests, window, nodes, expected] of requestCases) {
    it(`requestsPerNodePerMinute(${requests}, ${window}, ${nodes}) = ${expected}`, () =>
      expect(requestsPerNodePerMinute(requests, window, nodes)).to.equal(expected));
  }
  it('requestsPerNodePerMinute is NaN without a window or nodes', () => {
    expect(requestsPerNodePerMinute(1, 0, 1)).to.be.NaN;
    expect(requestsPerNodePerMinute(1, 1, 0)).to.be.NaN;
  });

  it('fleetNodeNames pads to sort', () => {
    expect(fleetNodeNames('f', 3)).to.deep.equal(['f-0000', 'f-0001', 'f-0002']);
    expect(fleetNodeNames('f', 10001).at(-1)).to.equal('f-10000');
  });
});

describe('LeaseLateness', () => {
  const leases = (entries: Array<[string, number]>): Map<string, number> => new Map(entries);

  it('judges each renewal against the previous one plus the interval', () => {
    const l = new LeaseLateness(10_000);
    l.observe(1_000, leases([['a', 0]]));
    l.observe(5_000, leases([['a', 0]]));
    l.observe(11_000, leases([['a', 10_400]]));
    expect(l.take()).to.deep.equal({ renewals: 1, maxLateMs: 400, unjudged: 0 });
  });

  it('a Lease not renewed counts as late as its due time has passed at the read', () => {
    const l = new LeaseLateness(10_000);
    l.observe(1_000, leases([['a', 0]]));
    l.observe(9_000, leases([['a', 0]]));
    l.observe(13_500, leases([['a', 0]]));
    expect(l.take()).to.deep.equal({ renewals: 0, maxLateMs: 3_500, unjudged: 0 });
  });

  it('does not judge a renewal whose predecessor may have gone unseen', () => {
    const l = new LeaseLateness(10_000);
    l.observe(1_000, leases([['a', 0]]));
    l.observe(21_000, leases([['a', 20_050]]));
    expect(l.take()).to.deep.equal({ renewals: 0, maxLateMs: -9_000, unjudged: 1 });
  });

  it('take() starts a new summary and keeps the last renewTimes', () => {
    const l = new LeaseLateness(10_000);
    l.observe(
      1_000,
      leases([
        ['a', 0],
        ['b', 500],
      ]),
    );
    l.take();
    expect(l.take()).to.deep.equal({ renewals: 0, maxLateMs: Number.NaN, unjudged: 0 });
    l.observe(
      8_000,
      leases([
        ['a', 0],
        ['b', 500],
      ]),
    );
    l.observe(
      12_000,
      leases([
        ['a', 10_010],
        ['b', 10_600],
      ]),
    );
    expect(l.take()).to.deep.equal({ renewals: 2, maxLateMs: 100, unjudged: 0 });
  });
});
