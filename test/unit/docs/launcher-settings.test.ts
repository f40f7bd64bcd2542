import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RUNNER_NODE_FLAGS } from '../../../bench/runner-process.js';
import { KUBELET_BIN, REPO_ROOT, RUNNER_BIN } from '../../e2e/support/paths.js';
import {
  KUBELET_ENV,
  KUBELET_NODE_FLAGS,
  RUNNER_NODE_FLAGS as E2E_RUNNER_NODE_FLAGS,
} from '../../e2e/support/launch-settings.js';

/**
 * A bin script's `#!/usr/bin/env -S [NAME=value ...] node [flag ...]` line:
 * the environment and the Node.js flags it starts the process with.
 */
function shebang(bin: string): { env: Record<string, string>; flags: string[] } {
  const line = readFileSync(bin, 'utf8').split('\n')[0]!;
  const prefix = '#!/usr/bin/env -S ';
  expect(line.startsWith(prefix), line).to.equal(true);
  const words = line.slice(prefix.length).split(' ');
  const node = words.indexOf('node');
  expect(node, `${bin} runs node`).to.be.at.least(0);
  const env = Object.fromEntries(words.slice(0, node).map((w) => w.split('=', 2) as [string, string]));
  return { env, flags: words.slice(node + 1) };
}

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

// Node.js flags and malloc's environment cannot be set once the process runs,
// so every launcher that runs `node bin/...` repeats them; a benchmark or a
// test run with other settings measures another process than the one users get.
describe("the runner's Node.js flags", () => {
  const { env, flags } = shebang(RUNNER_BIN);

  it('are what bin/vk-cmd-runner gives, in the benchmark and the end-to-end support alike', () => {
    expect(flags).to.include('--no-turbofan');
    expect(env).to.deep.equal({});
    expect([...RUNNER_NODE_FLAGS]).to.deep.equal(flags);
    expect(E2E_RUNNER_NODE_FLAGS).to.deep.equal(flags);
  });

  for (const script of ['scripts/demo.sh', 'scripts/dist.sh']) {
    it(`are given by ${script}`, () => {
      expect(read(script)).to.include(` ${flags.join(' ')} `);
    });
  }
});

describe("the kubelet's Node.js flags and malloc environment", () => {
  const { env, flags } = shebang(KUBELET_BIN);

  it('are what bin/vk-cmd-kubelet gives, in the end-to-end support (and so the benchmark)', () => {
    expect(env).to.have.property('MALLOC_ARENA_MAX', '2');
    expect(env).to.deep.equal(KUBELET_ENV);
    expect(flags).to.deep.equal(KUBELET_NODE_FLAGS);
  });

  it('are given by scripts/demo.sh', () => {
    const demo = read('scripts/demo.sh');
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    expect(demo).to.include(assignments.join(' '));
    expect(demo).to.include(`node ${flags.join(' ')} bin/vk-cmd-kubelet`);
  });
});
