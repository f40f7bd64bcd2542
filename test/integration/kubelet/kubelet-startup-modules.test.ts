import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../e2e/support/paths.js';

const run = promisify(execFile);

/** A module hook that appends every URL the process loads to `list`. */
function hookSource(list: string): string {
  return `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(list)}, url + '\\n');
  return next(url, context);
}
`;
}

describe('kubelet start: modules a plain node does not need', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-modules-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads neither the streaming endpoints nor ws until an exec, attach or port-forward asks', async () => {
    const list = path.join(dir, 'loaded.txt');
    const hooks = path.join(dir, 'hooks.mjs');
    const register = path.join(dir, 'register.mjs');
    writeFileSync(list, '');
    writeFileSync(hooks, hookSource(list));
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const main = path.join(REPO_ROOT, 'dist', 'src', 'kubelet', 'main.js');
    await run(process.execPath, ['--import', pathToFileURL(register).href, main, '--help']);
    const loaded = readFileSync(list, 'utf8').split('\n');
    // The module graph was loaded: the API server that serves those endpoints is in it.
    expect(loaded.some((url) => url.endsWith('/kubelet/api/kubelet-api-server.js'))).to.equal(true);
    expect(loaded.filter((url) => url.includes('/kubelet/api/streaming/streaming-api.js'))).to.deep.equal([]);
    expect(loaded.filter((url) => url.includes('/node_modules/ws/'))).to.deep.equal([]);
  });
});
