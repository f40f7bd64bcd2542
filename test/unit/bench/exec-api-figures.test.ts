import { expect } from 'chai';
import {
  forwardedLocalPort,
  shareOverReferenceMs,
  throughputRatio,
} from '../../../bench/exec-api-figures.js';

describe('exec-api figures', () => {
  const shares: Array<[number, number, number]> = [
    [194, 131, 63],
    [120, 131, -11],
    [100, 100, 0],
    [Number.NaN, 131, Number.NaN],
    [194, Number.NaN, Number.NaN],
    [Infinity, 131, Number.NaN],
  ];
  for (const [exec, reference, expected] of shares) {
    it(`share of exec p50 ${exec} over reference p50 ${reference} is ${expected}`, () => {
      expect(shareOverReferenceMs(exec, reference)).to.deep.equal(expected);
    });
  }

  const ratios: Array<[number, number, number]> = [
    [14, 56, 0.25],
    [80, 80, 1],
    [0, 80, 0],
    [14, 0, Number.NaN],
    [14, -1, Number.NaN],
    [Number.NaN, 80, Number.NaN],
    [14, Number.NaN, Number.NaN],
  ];
  for (const [part, whole, expected] of ratios) {
    it(`ratio ${part} / ${whole} is ${expected}`, () => {
      expect(throughputRatio(part, whole)).to.deep.equal(expected);
    });
  }

  const outputs: Array<[string, number | undefined]> = [
    ['', undefined],
    ['Forwarding from 127.0.0.1:43117 -> 38211\nForwarding from [::1]:43117 -> 38211\n', 43117],
    ['Forwarding from [::1]:43117 -> 38211\n', undefined],
    ['Forwarding from 127.0.0.1:431', undefined],
    ['Forwarding from 127.0.0.1:0 -> 1\n', undefined],
    ['Forwarding from 127.0.0.1:70000 -> 1\n', undefined],
    ['error: unable to forward\nForwarding from 127.0.0.1:8080 -> 80\n', 8080],
  ];
  for (const [output, port] of outputs) {
    it(`finds port ${String(port)} in ${JSON.stringify(output)}`, () => {
      expect(forwardedLocalPort(output)).to.equal(port);
    });
  }
});
