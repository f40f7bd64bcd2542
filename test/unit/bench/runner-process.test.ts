import { expect } from 'chai';
import { parseStringFlags, positiveFlag } from '../../../bench/runner-process.js';

describe('runner-only benchmark flags', () => {
  it('takes --name value and --name=value, and refuses unknown flags and missing values', () => {
    expect(parseStringFlags(['--pods', '20', '--rate=5'], ['pods', 'rate'])).to.deep.equal({
      pods: '20',
      rate: '5',
    });
    expect(() => parseStringFlags(['--podz', '20'], ['pods'])).to.throw(/--podz/);
    expect(() => parseStringFlags(['--pods'], ['pods'])).to.throw(/--pods/);
  });

  const table: Array<[string | undefined, boolean, number | RegExp]> = [
    [undefined, false, 7],
    ['2.5', false, 2.5],
    ['2.5', true, /--n must be a positive whole number, not "2.5"/],
    ['0', false, /positive number/],
    ['-3', true, /positive whole number/],
    ['x', false, /not "x"/],
    ['200', true, 200],
  ];
  for (const [raw, count, want] of table) {
    it(`${String(raw)}${count ? ' (a count)' : ''} -> ${String(want)}`, () => {
      if (want instanceof RegExp) expect(() => positiveFlag(raw, 'n', 7, count)).to.throw(want);
      else expect(positiveFlag(raw, 'n', 7, count)).to.equal(want);
    });
  }
});
