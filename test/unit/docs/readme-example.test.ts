import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../e2e/support/paths.js';

describe('README', () => {
  it('shows examples/wiki-example.yaml exactly, so the example users copy is the one make demo and the tests run', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const example = readFileSync(path.join(REPO_ROOT, 'examples', 'wiki-example.yaml'), 'utf8');
    const section = readme.slice(readme.indexOf('## Writing pods for vk-cmd'));
    const block = /```yaml\n([\s\S]*?)```\n/.exec(section);
    expect(block, 'a yaml block under "Writing pods for vk-cmd"').to.not.equal(null);
    expect(block![1]).to.equal(example);
  });
});
