import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnLogged } from '../../e2e/support/spawn-logged.js';

describe('spawnLogged (the runner and kubelet of the bench and end-to-end tests)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-spawn-logged-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the log file the child stdout and stderr, so no line passes through this process', async () => {
    const script = path.join(dir, 'child.mjs');
    writeFileSync(
      script,
      "process.stdout.write('out ' + process.argv[2] + '\\n');\nprocess.stderr.write('err\\n');\n",
    );

    const first = spawnLogged(dir, 'runner', script, ['1'], process.env, []);
    // A pipe would show here as a stream: this process would wake for every line.
    expect(first.stdout).to.equal(null);
    expect(first.stderr).to.equal(null);
    await once(first, 'exit');
    const second = spawnLogged(dir, 'runner', script, ['2'], process.env, []);
    await once(second, 'exit');

    expect(readFileSync(path.join(dir, 'runner.log'), 'utf8')).to.equal(
      `\n=== ${script} 1\nout 1\nerr\n\n=== ${script} 2\nout 2\nerr\n`,
    );
  });
});
