import { expect } from 'chai';
import {
  cpuSharePerNode,
  fleetNodeNames,
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
