import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { ConfigError } from '../../../../src/common/errors.js';
import { DeletedPods } from '../../../../src/runner/pods/deleted-pods.js';
import {
  prepareStateDirectory,
  readStateFile,
  stateDirProblem,
  stateFileProblem,
  type PathFacts,
} from '../../../../src/runner/pods/state-directory.js';
import { StateLock } from '../../../../src/runner/pods/state-lock.js';
import { PodStateStore } from '../../../../src/runner/pods/state-persistence.js';
import { ProcessTable } from '../../../../src/runner/process/process-table.js';

const ME = 1000;
const dir = (mode: number, uid = ME): PathFacts => ({ path: '/x', kind: 'directory', uid, mode });
const file = (mode: number, uid = ME): PathFacts => ({ path: '/x/f', kind: 'file', uid, mode });

/** A logger that keeps its lines, to check what was reported. */
function recordingLog(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => chunks.push(s) });
  return { log, lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>) };
}

describe('state directory: who may write what decides what runs', () => {
  it('stateDirProblem: a directory of this user that neither group nor others can write', () => {
    const table: Array<[PathFacts, string | undefined]> = [
      [dir(0o700), undefined],
      [dir(0o755), undefined],
      [dir(0o750), undefined],
      [
        dir(0o777),
        'state directory /x is writable by group and others (mode 0777); run chmod 700 /x or choose --state-dir',
      ],
      [
        dir(0o1777),
        'state directory /x is writable by group and others (mode 01777); run chmod 700 /x or choose --state-dir',
      ],
      [
        dir(0o770),
        'state directory /x is writable by group (mode 0770); run chmod 700 /x or choose --state-dir',
      ],
      [
        dir(0o702),
        'state directory /x is writable by others (mode 0702); run chmod 700 /x or choose --state-dir',
      ],
      [
        dir(0o700, 65534),
        'state directory /x belongs to uid 65534, not to this user (uid 1000); remove it or choose --state-dir',
      ],
      [
        { ...dir(0o700), kind: 'file' },
        'state directory /x is not a directory; remove it or choose --state-dir',
      ],
      [
        { ...dir(0o700), kind: 'symlink' },
        'state directory /x is a symlink; remove it or choose --state-dir',
      ],
    ];
    for (const [facts, want] of table)
      expect(stateDirProblem(facts, ME), JSON.stringify(facts)).to.equal(want);
    expect(stateDirProblem(dir(0o777), ME, 'state directory parent')).to.match(
      /^state directory parent \/x is/,
    );
  });

  it('stateFileProblem: a regular file of this user with mode 0600', () => {
    const table: Array<[PathFacts, string | undefined]> = [
      [file(0o600), undefined],
      [file(0o644), 'it has mode 0644, not 0600'],
      [file(0o400), 'it has mode 0400, not 0600'],
      [file(0o4600), 'it has mode 04600, not 0600'],
      [file(0o600, 65534), 'it belongs to uid 65534, not to this user (uid 1000)'],
      [{ ...file(0o600), kind: 'symlink' }, 'it is a symlink'],
      [{ ...file(0o600), kind: 'other' }, 'it is not a regular file'],
      [{ ...file(0o600), kind: 'directory' }, 'it is not a regular file'],
    ];
    for (const [facts, want] of table)
      expect(stateFileProblem(facts, ME), JSON.stringify(facts)).to.equal(want);
  });

  describe('on disk (temp dirs)', () => {
    let base: string;
    const uid = process.geteuid!();
    beforeEach(() => {
      base = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-state-'));
    });
    afterEach(() => rmSync(base, { recursive: true, force: true }));

    it('prepareStateDirectory creates 0700 directories and refuses loose or foreign ones, saying how to fix them', () => {
      const state = path.join(base, 'a', 'b', '.vk-cmd');
      prepareStateDirectory(state, ['pods']);
      for (const d of [path.join(base, 'a'), path.join(base, 'a', 'b'), state, path.join(state, 'pods')]) {
        expect(statSync(d).mode & 0o777, d).to.equal(0o700);
      }
      chmodSync(state, 0o777);
      expect(() => prepareStateDirectory(state, ['pods'])).to.throw(
        ConfigError,
        `state directory ${state} is writable by group and others (mode 0777); run chmod 700 ${state} or choose --state-dir`,
      );
      chmodSync(state, 0o700);
      chmodSync(path.join(state, 'pods'), 0o770);
      expect(() => prepareStateDirectory(state, ['pods'])).to.throw(
        ConfigError,
        `state directory ${state}/pods is writable by group`,
      );
      rmSync(path.join(state, 'pods'), { recursive: true });
      symlinkSync(base, path.join(state, 'pods'));
      expect(() => prepareStateDirectory(state, ['pods'])).to.throw(
        ConfigError,
        `state directory ${state}/pods is a symlink`,
      );
      // The state directory itself may be a link to a directory of this user.
      const linked = path.join(base, 'linked');
      symlinkSync(path.join(base, 'a', 'b'), linked);
      prepareStateDirectory(linked, []);
    });

    it('prepareStateDirectory checks the parents it created (judged here as if another uid ran it)', () => {
      const state = path.join(base, 'new', 'deep', '.vk-cmd');
      expect(() => prepareStateDirectory(state, ['pods'], uid + 1)).to.throw(
        ConfigError,
        `state directory parent ${path.join(base, 'new')} belongs to uid ${uid}, not to this user (uid ${uid + 1})`,
      );
      // The temp directory above it was not created here: not judged.
      chmodSync(state, 0o700);
      prepareStateDirectory(state, ['pods'], uid);
    });

    it('readStateFile reads only a 0600 file of this user, through O_NOFOLLOW', () => {
      const f = path.join(base, 'f');
      expect(readStateFile(f)).to.equal(undefined);
      writeFileSync(f, 'text', { mode: 0o600 });
      expect(readStateFile(f)).to.deep.equal({ text: 'text' });
      expect(readStateFile(f, uid + 1)).to.deep.equal({
        problem: `it belongs to uid ${uid}, not to this user (uid ${uid + 1})`,
      });
      chmodSync(f, 0o644);
      expect(readStateFile(f)).to.deep.equal({ problem: 'it has mode 0644, not 0600' });
      symlinkSync(f, path.join(base, 'link'));
      expect(readStateFile(path.join(base, 'link'))).to.deep.equal({ problem: 'it is a symlink' });
    });

    it('the pod store skips records this user did not write 0600 and removes leftover tmp files', () => {
      const { log, lines } = recordingLog();
      const store = new PodStateStore(base, log);
      store.init();
      const record = (uid: string) =>
        ({ version: 1, uid, namespace: 'ns', name: uid, containers: [] }) as unknown as Parameters<
          PodStateStore['save']
        >[0];
      store.save(record('good'));
      store.save(record('loose'));
      chmodSync(path.join(store.podsDir, 'loose.json'), 0o644);
      symlinkSync(path.join(store.podsDir, 'good.json'), path.join(store.podsDir, 'linked.json'));
      symlinkSync(path.join(base, 'elsewhere'), path.join(store.podsDir, 'good.json.tmp'));
      expect(store.loadAll().map((r) => r.uid)).to.deep.equal(['good']);
      const skipped = lines()
        .filter((l) => l['level'] === 50)
        .map((l) => l['msg'])
        .sort();
      expect(skipped).to.deep.equal([
        `Skipping pod record ${path.join(store.podsDir, 'linked.json')}: it is a symlink`,
        `Skipping pod record ${path.join(store.podsDir, 'loose.json')}: it has mode 0644, not 0600`,
      ]);
      expect(readdirSync(store.podsDir).sort()).to.deep.equal(['good.json', 'linked.json', 'loose.json']);
      store.save(record('good'));
      expect(existsSync(path.join(base, 'elsewhere'))).to.equal(false);
    });

    it('the pod store takes the complete tmp file of a save cut between its unlink and its rename, and drops torn or superseded ones', () => {
      const { log } = recordingLog();
      const store = new PodStateStore(base, log);
      store.init();
      const record = (uid: string, name = uid) =>
        ({ version: 1, uid, namespace: 'ns', name, containers: [] }) as unknown as Parameters<
          PodStateStore['save']
        >[0];
      store.save(record('kept', 'old'));
      store.save(record('kept', 'new'));
      expect(readdirSync(store.podsDir), 'a save leaves only the record').to.deep.equal(['kept.json']);
      const tmp = (uid: string, text: string) =>
        writeFileSync(path.join(store.podsDir, `${uid}.json.tmp`), text, { mode: 0o600 });
      tmp('cut', JSON.stringify(record('cut')));
      tmp('torn', JSON.stringify(record('torn')).slice(0, 20));
      tmp('kept', JSON.stringify(record('kept', 'unfinished')));
      const loaded = store.loadAll().map((r) => `${r.uid}:${r.name}`);
      expect(loaded.sort()).to.deep.equal(['cut:cut', 'kept:new']);
      expect(readdirSync(store.podsDir).sort()).to.deep.equal(['cut.json', 'kept.json']);
    });

    it('a lock file this user did not write is ignored, with an error naming it', () => {
      const { log, lines } = recordingLog();
      const stateLock = new StateLock(base, log);
      const lock = path.join(base, 'runner.lock');
      const table = new ProcessTable();
      // A live process other than this one: its lock counts only when the file is this user's 0600.
      const other = table.read(process.ppid)!;
      writeFileSync(lock, `${process.ppid} ${other.startTicks}\n`, { mode: 0o644 });
      stateLock.acquire(table);
      expect(lines().find((l) => l['level'] === 50)?.['msg']).to.equal(
        `Ignoring lock file ${lock}: it has mode 0644, not 0600`,
      );
      expect(readFileSync(lock, 'utf8').split(' ')[0]).to.equal(String(process.pid));
      expect(statSync(lock).mode & 0o777).to.equal(0o600);
      writeFileSync(lock, `${process.ppid} ${other.startTicks}\n`, { mode: 0o600 });
      expect(() => stateLock.acquire(table)).to.throw(ConfigError, 'is in use by another runner');
    });

    it('a deleted-pods file this user did not write is not read and is replaced, not appended to', () => {
      const { log, lines } = recordingLog();
      const f = path.join(base, 'deleted-pods');
      writeFileSync(f, 'u-old\n', { mode: 0o666 });
      chmodSync(f, 0o666);
      const deleted = new DeletedPods(f, log);
      deleted.load();
      expect(deleted.has('u-old')).to.equal(false);
      expect(lines().find((l) => l['level'] === 50)?.['msg']).to.equal(
        `Ignoring deleted pod uids in ${f}: it has mode 0666, not 0600`,
      );
      deleted.add('u-new');
      expect(readFileSync(f, 'utf8')).to.equal('u-new\n');
      expect(statSync(f).mode & 0o777).to.equal(0o600);
      deleted.add('u-next');
      expect(readFileSync(f, 'utf8')).to.equal('u-new\nu-next\n');
    });
  });
});
