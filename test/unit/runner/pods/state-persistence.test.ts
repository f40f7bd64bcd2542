import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
});
