import { expect } from 'chai';
import { CRASH_POINTS, parseCrashPoints } from '../../../src/runner/crash-points.js';

describe('crash points (test-only fault injection)', () => {
  it('parses name:count lists; a bare name is 1; malformed entries are refused', () => {
    const table: Array<[string | undefined, Array<[string, number]> | 'error']> = [
      [undefined, []],
      ['', []],
      ['start.after-spawn:3', [['start.after-spawn', 3]]],
      [
        ' exit.before-record , launcher.after-fork:2 ',
        [
          ['exit.before-record', 1],
          ['launcher.after-fork', 2],
        ],
      ],
      ['start.after-spawn:0', 'error'],
      ['start.after-spawn:x', 'error'],
      ['a:1:2', 'error'],
      [':3', 'error'],
    ];
    for (const [text, want] of table) {
      if (want === 'error') expect(() => parseCrashPoints(text), String(text)).to.throw(/is not name:count/);
      else expect([...parseCrashPoints(text)], String(text)).to.deep.equal(want);
    }
  });

  it('names every point once', () => {
    expect(new Set(CRASH_POINTS).size).to.equal(CRASH_POINTS.length);
  });
});
