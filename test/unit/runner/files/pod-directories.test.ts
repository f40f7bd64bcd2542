import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DeletedPods } from '../../../../src/runner/pods/deleted-pods.js';
import {
  moveAside,
  removeMovedAside,
  removePodDirectory,
  sweepStaleDirectories,
} from '../../../../src/runner/files/pod-directories.js';
import { writePodDirectory } from '../../../../src/runner/files/volume-writer.js';
import type { VolumePlan } from '../../../../src/runner/files/volume-plan.js';
import { silent } from '../support/fake-world.js';

const emptyPlan = (): VolumePlan => ({
  dirs: ['containers/c1'],
  files: [],
  symlinks: [],
  mounts: new Map(),
  workingDirs: new Map(),
});

describe('pod directories and deleted uids (temp dirs)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-dirs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const mk = (...parts: string[]): string => {
    const dir = path.join(root, ...parts);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'f'), 'x');
    return dir;
  };

  it('moves an old pod directory aside; removing a pod removes its namespace directory once empty', async () => {
    const pod = mk('ns', 'p1');
    expect(moveAside(path.join(root, 'ns', 'nope'), 5)).to.equal(undefined);
    expect(moveAside(pod, 123)).to.equal(path.join(root, 'ns', '.p1.stale-123'));
    mk('ns', 'p1');
    await removePodDirectory(pod);
    expect(readdirSync(path.join(root, 'ns'))).to.deep.equal(['.p1.stale-123']);
    rmSync(path.join(root, 'ns', '.p1.stale-123'), { recursive: true });
    mk('ns', 'p2');
    await removePodDirectory(path.join(root, 'ns', 'p2'));
    expect(existsSync(path.join(root, 'ns'))).to.equal(false);
  });

  it('moving aside, removing and sweeping never follow a namespace or pod directory replaced by a symlink', async () => {
    const outside = mk('outside', 'p1');
    const outsideTree = (): string[] => readdirSync(path.join(root, 'outside')).concat(readdirSync(outside));
    const before = outsideTree();
    symlinkSync(path.join(root, 'outside'), path.join(root, 'ns'));
    const refused = `refusing to write through symlink ${path.join(root, 'ns')}`;
    expect(() => moveAside(path.join(root, 'ns', 'p1'), 1)).to.throw(refused);
    await removePodDirectory(path.join(root, 'ns', 'p1')).then(
      () => expect.fail('removed through a symlink'),
      (err: Error) => expect(err.message).to.equal(refused),
    );
    expect(() => writePodDirectory(path.join(root, 'ns', 'p2'), emptyPlan())).to.throw(refused);
    mk('ns2');
    symlinkSync(path.join(root, 'outside'), path.join(root, 'ns2', '.p1.stale-1'));
    expect(await sweepStaleDirectories(root)).to.deep.equal([]);
    expect(outsideTree()).to.deep.equal(before);
    // A pod directory that is a symlink: moved aside and removed as a link, its target untouched.
    mk('ns3');
    symlinkSync(outside, path.join(root, 'ns3', 'p1'));
    const aside = moveAside(path.join(root, 'ns3', 'p1'), 9)!;
    expect(lstatSync(aside).isSymbolicLink()).to.equal(true);
    await removeMovedAside(aside);
    expect(existsSync(aside)).to.equal(false);
    symlinkSync(outside, path.join(root, 'ns3', 'p1'));
    expect(() => writePodDirectory(path.join(root, 'ns3', 'p1'), emptyPlan())).to.throw(
      `refusing to write through symlink ${path.join(root, 'ns3', 'p1')}`,
    );
    await removePodDirectory(path.join(root, 'ns3', 'p1'));
    expect(existsSync(path.join(root, 'ns3', 'p1'))).to.equal(false);
    expect(outsideTree()).to.deep.equal(before);
  });

  it('the start-up sweep removes stale directories in namespace directories only', async () => {
    mk('ns2', '.x.stale-1');
    mk('ns2', 'keep');
    mk('ns3', '.z.stale-3');
    mk('Docs', '.y.stale-2');
    mk('ns4', '.not-stale');
    const removed = await sweepStaleDirectories(root);
    expect(removed.sort()).to.deep.equal([
      path.join(root, 'ns2', '.x.stale-1'),
      path.join(root, 'ns3', '.z.stale-3'),
    ]);
    expect(readdirSync(root).sort()).to.deep.equal(['Docs', 'ns2', 'ns4']);
    expect(await sweepStaleDirectories(path.join(root, 'missing'))).to.deep.equal([]);
  });

  it('remembers the most recent deleted uids across restarts, within its bound', () => {
    const file = path.join(root, 'deleted-pods');
    const a = new DeletedPods(file, silent, 3);
    a.load();
    for (let i = 1; i <= 10; i++) a.add(`u${i}`);
    expect([a.has('u7'), a.has('u8'), a.has('u10')]).to.deep.equal([false, true, true]);
    const b = new DeletedPods(file, silent, 3);
    b.load();
    expect(['u7', 'u8', 'u9', 'u10'].map((u) => b.has(u))).to.deep.equal([false, true, true, true]);
    expect(readFileSync(file, 'utf8').split('\n').length - 1, 'compacted').to.be.at.most(6);
    const memoryOnly = new DeletedPods(undefined, silent);
    memoryOnly.add('x');
    expect(memoryOnly.has('x')).to.equal(true);
  });

  it('writing a pod directory hands an entry in its way (a directory, a symlink) to makeRoom, and only then', () => {
    const rooms: string[] = [];
    const makeRoom = (podDir: string) => () => rooms.push(moveAside(podDir, rooms.length)!);
    writePodDirectory(
      path.join(root, 'ns', 'p1'),
      emptyPlan(),
      undefined,
      makeRoom(path.join(root, 'ns', 'p1')),
    );
    expect(rooms, 'nothing in the way').to.deep.equal([]);
    writePodDirectory(
      path.join(root, 'ns', 'p1'),
      emptyPlan(),
      undefined,
      makeRoom(path.join(root, 'ns', 'p1')),
    );
    symlinkSync(path.join(root, 'ns'), path.join(root, 'ns', 'p2'));
    writePodDirectory(
      path.join(root, 'ns', 'p2'),
      emptyPlan(),
      undefined,
      makeRoom(path.join(root, 'ns', 'p2')),
    );
    expect(rooms).to.deep.equal([path.join(root, 'ns', '.p1.stale-0'), path.join(root, 'ns', '.p2.stale-1')]);
    expect(lstatSync(path.join(root, 'ns', 'p2')).isDirectory()).to.equal(true);
    expect(readdirSync(path.join(root, 'ns', 'p2', 'containers'))).to.deep.equal(['c1']);
    expect(() => writePodDirectory(path.join(root, 'ns', 'p2'), emptyPlan())).to.throw(/EEXIST/);
  });
});
