import {
  closeSync,
  constants,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DirHandle, RefusedPathError } from '../../../../src/runner/files/dir-handle.js';
import { removeTree, removeTreeSync } from '../../../../src/runner/files/remove-tree.js';

describe('dir-handle: fd-relative writes (temp dirs)', () => {
  let base: string;
  let root: string;
  let outside: string;
  const handles: DirHandle[] = [];
  const keep = (h: DirHandle): DirHandle => {
    handles.push(h);
    return h;
  };

  beforeEach(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-dirh-'));
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'canary'), 'keep me');
  });
  afterEach(() => {
    for (const h of handles.splice(0)) h.close();
    rmSync(base, { recursive: true, force: true });
  });

  /** What outside holds: only the canary, unchanged, means nothing was written, moved or removed there. */
  const outsideUntouched = (): void => {
    expect(readdirSync(outside)).to.deep.equal(['canary']);
    expect(readFileSync(path.join(outside, 'canary'), 'utf8')).to.equal('keep me');
  };

  /** Moves `dir` to `${dir}.moved` and puts a symlink to outside at its path. */
  const swap = (dir: string): string => {
    renameSync(dir, `${dir}.moved`);
    symlinkSync(outside, dir);
    return `${dir}.moved`;
  };

  it('the kernel resolves /proc/self/fd/N/name in the directory the fd holds, after its path was swapped', () => {
    const h = keep(DirHandle.openBeneath(root, 'a/b'));
    const moved = swap(path.join(root, 'a', 'b'));
    // Raw opens and renames through the fd path, bypassing verify(): the mechanism itself.
    const fd = openSync(h.entry('f'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    writeSync(fd, 'x');
    closeSync(fd);
    renameSync(h.entry('f'), h.entry('g'));
    mkdirSync(h.entry('sub'));
    symlinkSync('target', h.entry('ln'));
    expect(readdirSync(moved).sort()).to.deep.equal(['g', 'ln', 'sub']);
    outsideUntouched();
  });

  it('asynchronous operations resolve the fd path too (libuv threads share the fd table)', async () => {
    const h = keep(DirHandle.openBeneath(root, 'a/b'));
    const moved = swap(path.join(root, 'a', 'b'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(h.entry('async'), 'y', { flag: 'wx' });
    expect(readdirSync(moved)).to.deep.equal(['async']);
    outsideUntouched();
  });

  it('refuses a symlink in any component below the anchor, naming it', () => {
    symlinkSync(outside, path.join(root, 'a', 'link'));
    expect(() => DirHandle.openBeneath(root, 'a/link')).to.throw(
      RefusedPathError,
      `refusing to write through symlink ${path.join(root, 'a', 'link')}`,
    );
    swap(path.join(root, 'a'));
    expect(() => DirHandle.openBeneath(root, 'a/b')).to.throw(RefusedPathError, /symlink .*\/root\/a$/);
    writeFileSync(path.join(root, 'file'), '');
    expect(() => DirHandle.openBeneath(root, 'file')).to.throw(/exists and is not a directory/);
    outsideUntouched();
  });

  it('an anchor may itself be reached through a symlink (the configured root)', () => {
    const alias = path.join(base, 'alias');
    symlinkSync(root, alias);
    const h = keep(DirHandle.openBeneath(alias, 'a'));
    const fd = h.createFile('x', 0o600);
    closeSync(fd);
    expect(existsSync(path.join(root, 'a', 'x'))).to.equal(true);
  });

  it('verifies the path before each write: a directory replaced after it was opened is refused, not written', () => {
    const h = keep(DirHandle.openBeneath(root, 'a/b'));
    const moved = swap(path.join(root, 'a', 'b'));
    const writes: Array<[string, () => unknown]> = [
      ['createFile', () => h.createFile('x', 0o644)],
      ['createFreshFile', () => h.createFreshFile('x', 0o644)],
      ['makeDir', () => h.makeDir('d', 0o755)],
      ['rename', () => h.rename('x', 'y')],
      ['unlink', () => h.unlink('x')],
      ['rmdir', () => h.rmdir('x')],
      ['symlink', () => h.symlink('x', '/etc')],
    ];
    for (const [what, write] of writes) {
      expect(write, what).to.throw(RefusedPathError, /was replaced after it was checked \(now a symlink\)/);
    }
    expect(readdirSync(moved)).to.deep.equal([]);
    outsideUntouched();
  });

  it('creates never overwrite and never follow a final symlink', () => {
    const h = keep(DirHandle.openBeneath(root, 'a'));
    symlinkSync(path.join(outside, 'new'), path.join(root, 'a', 'link'));
    writeFileSync(path.join(root, 'a', 'exists'), 'old');
    expect(() => h.createFile('link', 0o644)).to.throw(RefusedPathError, /symlink .*\/a\/link/);
    expect(() => h.createFreshFile('link', 0o644)).to.throw(RefusedPathError, /symlink .*\/a\/link/);
    expect(() => h.createFile('exists', 0o644)).to.throw(/EEXIST/);
    expect(() => h.createFreshFile('b', 0o644)).to.throw(/exists and is not a regular file/);
    expect(readFileSync(path.join(root, 'a', 'exists'), 'utf8')).to.equal('old');
    outsideUntouched();
  });

  it('a fresh file replaces a hard link by unlinking it: the linked file is never truncated', () => {
    const h = keep(DirHandle.openBeneath(root, 'a'));
    linkSync(path.join(outside, 'canary'), path.join(root, 'a', 'out'));
    const fd = h.createFreshFile('out', 0o644, constants.O_APPEND);
    writeSync(fd, 'new');
    closeSync(fd);
    expect(readFileSync(path.join(root, 'a', 'out'), 'utf8')).to.equal('new');
    expect(statSync(path.join(outside, 'canary')).nlink).to.equal(1);
    outsideUntouched();
  });

  it('makeDir checks the new directory (lstat, device and inode, owner) and refuses a symlink at the name', () => {
    const h = keep(DirHandle.openBeneath(root, 'a'));
    const d = keep(h.makeDir('new', 0o700));
    expect(statSync(path.join(root, 'a', 'new')).mode & 0o777).to.equal(0o700);
    expect(d.path).to.equal(path.join(root, 'a', 'new'));
    keep(h.makeDir('new', 0o700));
    expect(() => h.makeDir('new', 0o700, { exclusive: true })).to.throw(/EEXIST/);
    symlinkSync(outside, path.join(root, 'a', 'evil'));
    expect(() => h.makeDir('evil', 0o755)).to.throw(RefusedPathError, /symlink/);
    outsideUntouched();
  });

  it('refuses names that are not one directory entry', () => {
    const h = keep(DirHandle.openBeneath(root, 'a'));
    for (const bad of ['', '.', '..', 'x/y', 'nul\0'])
      expect(() => h.entry(bad), bad).to.throw(/not a file name/);
  });

  for (const [name, remove] of [
    ['removeTreeSync', async (p: DirHandle, n: string) => removeTreeSync(p, n)],
    ['removeTree', (p: DirHandle, n: string) => removeTree(p, n)],
  ] as const) {
    it(`${name} removes a tree without following the symlinks in it`, async () => {
      const tree = path.join(root, 'a', 'b');
      mkdirSync(path.join(tree, 'd1', 'd2'), { recursive: true });
      writeFileSync(path.join(tree, 'd1', 'd2', 'f'), 'x');
      symlinkSync(outside, path.join(tree, 'd1', 'to-outside'));
      symlinkSync(path.join(outside, 'canary'), path.join(tree, 'file-link'));
      linkSync(path.join(outside, 'canary'), path.join(tree, 'hard'));
      const a = keep(DirHandle.openBeneath(root, 'a'));
      await remove(a, 'b');
      expect(existsSync(tree)).to.equal(false);
      outsideUntouched();
      // A symlink at the name itself is unlinked; a missing name is fine.
      symlinkSync(outside, tree);
      await remove(a, 'b');
      await remove(a, 'b');
      expect(existsSync(tree)).to.equal(false);
      outsideUntouched();
    });
  }

  it('removeTree lets other work run between slices of a large tree, and removes all of it', async () => {
    const tree = path.join(root, 'a', 'b');
    for (let i = 0; i < 20; i++) {
      mkdirSync(path.join(tree, `c${i}`));
      writeFileSync(path.join(tree, `c${i}`, 'stdout'), 'x');
    }
    const a = keep(DirHandle.openBeneath(root, 'a'));
    // What a concurrent turn of the event loop sees: how many containers were still there.
    const seen: number[] = [];
    const look = (): void => {
      if (!existsSync(tree)) return;
      seen.push(readdirSync(tree).length);
      setImmediate(look);
    };
    setImmediate(look);
    await removeTree(a, 'b', true, 8);
    expect(existsSync(tree)).to.equal(false);
    // 20 containers of 3 steps each at 8 steps a turn: other turns ran while it went.
    expect(seen.length).to.be.greaterThan(3);
    expect(seen[0]).to.be.within(1, 19);
    expect(seen[seen.length - 1]).to.be.lessThan(seen[0] ?? 0);
    outsideUntouched();
  });

  it('removeTree of a small tree finishes within one turn', async () => {
    const tree = path.join(root, 'a', 'b');
    mkdirSync(path.join(tree, 'containers', 'c1'), { recursive: true });
    for (const f of ['stdout', 'stderr', 'pgid']) writeFileSync(path.join(tree, 'containers', 'c1', f), 'x');
    const a = keep(DirHandle.openBeneath(root, 'a'));
    let otherTurnRan = false;
    setImmediate(() => (otherTurnRan = true));
    await removeTree(a, 'b', true);
    expect(existsSync(tree)).to.equal(false);
    expect(otherTurnRan).to.equal(false);
  });
});
