import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  checkPathLength,
  normalizeUserPath,
  SafeWriter,
  UnsafePathError,
} from '../../../../src/runner/files/safe-path.js';

describe('safe-path: normalizeUserPath', () => {
  const ok: Array<[string, boolean, string]> = [
    ['stress/job1', false, 'stress/job1'],
    ['./a//b/./c/', false, 'a/b/c'],
    ['/abs/path', true, 'abs/path'],
    ['/', true, ''],
    ['.', false, ''],
    ['a..b/..c', false, 'a..b/..c'],
    ['dir/.hidden', false, 'dir/.hidden'],
  ];
  for (const [input, reroot, expected] of ok) {
    it(`accepts ${JSON.stringify(input)} (reroot=${reroot}) as ${JSON.stringify(expected)}`, () => {
      expect(normalizeUserPath(input, 'f', { reroot })).to.equal(expected);
    });
  }

  const hostile: Array<[string, string, boolean, RegExp]> = [
    ['parent', '..', true, /contains "\.\."/],
    ['climb out', '../../../../escaped', true, /contains "\.\."/],
    ['climb inside', 'a/../b', true, /contains "\.\."/],
    ['trailing ..', 'a/b/..', true, /contains "\.\."/],
    ['absolute climb', '/../etc', true, /contains "\.\."/],
    ['absolute without reroot', '/etc/passwd', false, /must be a relative path/],
    ['NUL byte', 'a\0b', true, /NUL byte/],
    ['NUL after slash', 'a/\0', true, /NUL byte/],
    ['long component', 'x'.repeat(256), true, /longer than 255 bytes/],
    ['long multibyte component', 'é'.repeat(128), true, /longer than 255 bytes/],
  ];
  for (const [what, input, reroot, message] of hostile) {
    it(`refuses ${what}`, () => {
      expect(() => normalizeUserPath(input, 'pod.x.mountPath', { reroot }))
        .to.throw(UnsafePathError, message)
        .with.property('field', 'pod.x.mountPath');
    });
  }

  it('refuses a path too long for PATH_MAX once placed under the base', () => {
    expect(() => checkPathLength('/base', Array(20).fill('y'.repeat(250)).join('/'), 'f')).to.throw(
      /longer than 4095/,
    );
    expect(() => checkPathLength('/base', 'short', 'f')).to.not.throw();
  });
});

describe('safe-path: SafeWriter', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-safe-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-outside-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('writes files with exactly the requested mode, creating parents', () => {
    const w = new SafeWriter(dir);
    w.writeFile('a/b/c.txt', Buffer.from('hi'), 0o640);
    expect(readFileSync(path.join(dir, 'a/b/c.txt'), 'utf8')).to.equal('hi');
    expect(statSync(path.join(dir, 'a/b/c.txt')).mode & 0o777).to.equal(0o640);
  });

  it('refuses to write through a symlinked parent planted in the tree', () => {
    symlinkSync(outside, path.join(dir, 'evil'));
    const w = new SafeWriter(dir);
    expect(() => w.writeFile('evil/x', Buffer.from('x'), 0o644)).to.throw(/symlink/);
    expect(existsSync(path.join(outside, 'x'))).to.equal(false);
  });

  it('refuses to follow a symlink at the file itself or overwrite a file', () => {
    symlinkSync(path.join(outside, 'target'), path.join(dir, 'link'));
    writeFileSync(path.join(dir, 'exists'), 'old');
    const w = new SafeWriter(dir);
    expect(() => w.writeFile('link', Buffer.from('x'), 0o644)).to.throw();
    expect(() => w.writeFile('exists', Buffer.from('x'), 0o644)).to.throw(/EEXIST/);
    expect(existsSync(path.join(outside, 'target'))).to.equal(false);
    expect(readFileSync(path.join(dir, 'exists'), 'utf8')).to.equal('old');
  });

  it('refuses a file where a directory is needed', () => {
    mkdirSync(path.join(dir, 'd'));
    writeFileSync(path.join(dir, 'd', 'f'), '');
    expect(() => new SafeWriter(dir).mkdirs('d/f/g')).to.throw(/not a directory/);
  });
});
