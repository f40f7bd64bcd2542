import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RUNNER_NODE_FLAGS, parseStringFlags, positiveFlag } from '../../../bench/runner-process.js';
import { REPO_ROOT, RUNNER_BIN } from '../../e2e/support/paths.js';
import { RUNNER_NODE_FLAGS as E2E_RUNNER_NODE_FLAGS } from '../../e2e/support/vk-node.js';

describe("the runner's Node.js flags", () => {
  // Node.js flags cannot be set once the process runs, so every launcher of
  // the runner repeats them; a benchmark run with other flags measures
  // another runner than the one users get.
  const shebangFlags = readFileSync(RUNNER_BIN, 'utf8')
    .split('\n')[0]!
    .replace(/^#!\/usr\/bin\/env -S node /, '')
    .split(' ');

  it('are what bin/vk-cmd-runner gives, in the benchmark and the end-to-end support alike', () => {
    expect(shebangFlags).to.include('--no-turbofan');
    expect([...RUNNER_NODE_FLAGS]).to.deep.equal(shebangFlags);
    expect(E2E_RUNNER_NODE_FLAGS).to.deep.equal(shebangFlags);
  });

  for (const script of ['scripts/demo.sh', 'scripts/dist.sh']) {
    it(`are given by ${script}`, () => {
      expect(readFileSync(path.join(REPO_ROOT, script), 'utf8')).to.include(` ${shebangFlags.join(' ')} `);
    });
  }
});

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
