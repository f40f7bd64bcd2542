import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import type { PodRecord } from '../../../../src/runner/pods/pod-record.js';
import { PodStateStore } from '../../../../src/runner/pods/state-persistence.js';

/** A record of `containers` containers whose env holds `value` (multi-byte characters test the encoding). */
function recordOf(uid: string, containers: number, value: string): PodRecord {
  return {
    version: 1,
    uid,
    namespace: 'ns',
    name: uid,
    restartPolicy: 'Never',
    createdAtMs: 1,
    podDir: `/r/ns/${uid}`,
    podDirWritten: true,
    containers: Array.from({ length: containers }, (_, i) => ({
      name: `c${i}`,
      init: false,
      image: 'busybox',
      dir: `/r/ns/${uid}/containers/c${i}`,
      launch: { argv: ['sleep', '3600'], cwd: '/', podEnv: [{ name: 'V', value }] },
      setupError: undefined,
      state: { state: 'running', running: { startedAtMs: 2 } },
      lastState: undefined,
      restartCount: 0,
      pgid: 1000 + i,
      leaderStartTicks: 5,
      bootId: 'b',
      backoffMs: 0,
      restartAtMs: 0,
      health: undefined,
    })),
    deleting: false,
    deleteStartedAtMs: 0,
    gracePeriodSeconds: 0,
    terminationGracePeriodSeconds: 30,
  } as PodRecord;
}

describe('state-persistence: PodStateStore', () => {
  let dir: string;
  let store: PodStateStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-state-'));
    store = new PodStateStore(dir, pino({ level: 'silent' }));
    store.init();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const table: Array<{ name: string; record: () => PodRecord }> = [
    { name: 'a small record (the reused encoding buffer)', record: () => recordOf('small', 2, 'é€😀') },
    {
      name: 'a huge record (written as a string, no worst-case buffer)',
      record: () => recordOf('huge', 1000, 'é€😀 '.repeat(20)),
    },
  ];
  for (const t of table) {
    it(`saves and loads back ${t.name}, 0600, replacing the last save`, () => {
      const record = t.record();
      store.save(record);
      record.containers[0]!.restartCount = 7;
      store.save(record);
      const [loaded, ...others] = store.loadAll();
      expect(others).to.deep.equal([]);
      expect(loaded).to.deep.equal(JSON.parse(JSON.stringify(record)));
      const file = path.join(store.podsDir, `${record.uid}.json`);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readdirSync(store.podsDir)).to.deep.equal([`${record.uid}.json`]);
    });
  }

  it('a huge save after a small one of the same pod, and back', () => {
    store.save(recordOf('p', 1, 'x'));
    store.save(recordOf('p', 1000, 'ü'.repeat(50)));
    expect(store.loadAll()[0]!.containers).to.have.length(1000);
    store.save(recordOf('p', 3, 'y'));
    expect(store.loadAll()[0]!.containers).to.have.length(3);
  });

  it('a save replaces a record it did not write (an earlier runner left it), loaded or not', () => {
    const earlier = new PodStateStore(dir, pino({ level: 'silent' }));
    earlier.save(recordOf('old', 1, 'a'));
    earlier.save(recordOf('other', 1, 'a'));
    store.save(recordOf('old', 2, 'b'));
    expect(store.loadAll().map((r) => [r.uid, r.containers.length])).to.have.deep.members([
      ['old', 2],
      ['other', 1],
    ]);
    store.save(recordOf('other', 3, 'c'));
    store.remove('old');
    store.save(recordOf('old', 4, 'd'));
    expect(store.loadAll().map((r) => [r.uid, r.containers.length])).to.have.deep.members([
      ['old', 4],
      ['other', 3],
    ]);
    expect(readdirSync(store.podsDir).sort()).to.deep.equal(['old.json', 'other.json']);
  });

  describe('the file is a log of saves', () => {
    const file = (uid: string): string => path.join(store.podsDir, `${uid}.json`);
    const named = (record: PodRecord, name: string): PodRecord => ({ ...record, name });
    const reload = (): string[] =>
      new PodStateStore(dir, pino({ level: 'silent' })).loadAll().map((r) => `${r.uid}:${r.name}`);

    it('saves append to one file for the pod (no new inode), until it outgrows the compaction bound', () => {
      const record = recordOf('p', 1, 'x');
      store.save(record);
      const inode = statSync(file('p')).ino;
      for (let i = 1; i <= 5; i++) store.save(named(record, `save-${i}`));
      expect(statSync(file('p')).ino, 'appended, not replaced').to.equal(inode);
      expect(readFileSync(file('p'), 'utf8').split('\n')).to.have.length(7);
      expect(reload()).to.deep.equal(['p:save-5']);
      const lineBytes = Buffer.byteLength(`${JSON.stringify(named(record, 'save-5'))}\n`);
      let saves = 5;
      while (statSync(file('p')).ino === inode) {
        store.save(named(record, `save-${++saves}`));
        expect(saves, 'compacted before the bound').to.be.below(200);
      }
      // Compacted at 64 KiB plus 4 records: the file starts again from the one save.
      expect(saves * lineBytes).to.be.above(64 * 1024);
      expect(readFileSync(file('p'), 'utf8')).to.equal(`${JSON.stringify(named(record, `save-${saves}`))}\n`);
      expect(readdirSync(store.podsDir)).to.deep.equal(['p.json']);
      expect(reload()).to.deep.equal([`p:save-${saves}`]);
    });

    it('a save cut inside its line (the runner killed): the load takes the save before, and the next save follows a clean line', () => {
      const record = recordOf('p', 2, 'é');
      store.save(named(record, 'first'));
      store.save(named(record, 'second'));
      appendFileSync(file('p'), JSON.stringify(named(record, 'cut')).slice(0, 40));
      const next = new PodStateStore(dir, pino({ level: 'silent' }));
      expect(next.loadAll().map((r) => r.name)).to.deep.equal(['second']);
      expect(readFileSync(file('p'), 'utf8')).to.equal(`${JSON.stringify(named(record, 'second'))}\n`);
      next.save(named(record, 'third'));
      expect(reload()).to.deep.equal(['p:third']);
    });

    it("an earlier runner's record (one JSON text, no newline) loads, and the saves after it stay readable", () => {
      writeFileSync(file('old'), JSON.stringify(recordOf('old', 1, 'a')), { mode: 0o600 });
      expect(store.loadAll().map((r) => r.uid)).to.deep.equal(['old']);
      store.save(named(recordOf('old', 1, 'a'), 'after'));
      store.save(named(recordOf('old', 1, 'a'), 'later'));
      expect(reload()).to.deep.equal(['old:later']);
    });

    it('an append that fails (ENOSPC) makes the next save rewrite the file, not append after a partial line', () => {
      store.save(recordOf('p', 1, 'x'));
      // A device that fails every write with ENOSPC (/dev/full's numbers) in the record's place.
      unlinkSync(file('p'));
      if (process.geteuid?.() !== 0) {
        console.log('      not root: no failing device to put in place (CI runs as root)');
        return;
      }
      const made = spawnSync('mknod', ['-m', '600', file('p'), 'c', '1', '7']);
      // As root the device must be made: a refused mknod is a failure here, not a pass.
      expect(made.status, made.stderr.toString()).to.equal(0);
      expect(() => store.save(named(recordOf('p', 1, 'x'), 'failed'))).to.throw(/ENOSPC/);
      store.save(named(recordOf('p', 1, 'x'), 'after'));
      expect(lstatSync(file('p')).isFile()).to.equal(true);
      expect(reload()).to.deep.equal(['p:after']);
    });

    it('a symlink put in place of the file is replaced by the next save, never written through', () => {
      store.save(recordOf('p', 1, 'x'));
      const outside = path.join(dir, 'outside');
      writeFileSync(outside, 'untouched\n');
      unlinkSync(file('p'));
      symlinkSync(outside, file('p'));
      store.save(named(recordOf('p', 1, 'x'), 'after'));
      expect(readFileSync(outside, 'utf8')).to.equal('untouched\n');
      expect(lstatSync(file('p')).isFile()).to.equal(true);
      expect(reload()).to.deep.equal(['p:after']);
    });
  });
});
