import {
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  containerRelDir,
  indexFile,
  isReservedContainerEntry,
  isExitCodeFile,
  isLogFileName,
  isLogName,
  logFile,
  moveRunToPrevious,
  openContainerDir,
  openExitCodeTarget,
  openRunLog,
  pgidFile,
  readExitCodeFile,
  readIndexText,
  readPgidFile,
  removeExitCodeFile,
  RESERVED_CONTAINER_ENTRIES,
  stderrFileInfo,
  writeIndexText,
  writePgidFile,
} from '../../../../src/runner/files/container-dir.js';
import { WRITE_EXIT_CODE_SH } from '../../../../src/runner/files/wrapper-sh.js';
import {
  claimRunFile,
  parseRunFile,
  readRunFile,
  removeRunFile,
} from '../../../../src/runner/files/run-file.js';
import { errorMessage } from '../../../../src/common/errors.js';

describe('container directory file protocol', () => {
  it('names the files of the on-disk layout', () => {
    const table: Array<[string, string]> = [
      [containerRelDir('c1'), 'containers/c1'],
      [logFile('/d', 'stdout', false), '/d/stdout'],
      [logFile('/d', 'stderr', true), '/d/stderr.previous'],
      [indexFile('/d', 'stdout', false), '/d/.stdout.index'],
      [indexFile('/d', 'stderr', true), '/d/.stderr.previous.index'],
      [pgidFile('/d'), '/d/pgid'],
    ];
    for (const [got, want] of table) expect(got).to.equal(want);
    expect([...RESERVED_CONTAINER_ENTRIES].sort()).to.deep.equal(
      [
        'pgid',
        'stdout',
        'stderr',
        'exitcode',
        'stdout.previous',
        'stderr.previous',
        '.pgid.tmp',
        '.exitcode.tmp',
        '.stdout.index',
        '.stderr.index',
        '.stdout.previous.index',
        '.stderr.previous.index',
        'stdin',
        '.tty-control',
        '.stdin-holder',
        '.stdin-closed',
      ].sort(),
    );
  });

  it('tells the runner files apart by name', () => {
    const table: Array<[string | undefined, boolean, boolean, boolean]> = [
      // name, exitcode, current log, log of either run
      ['exitcode', true, false, false],
      ['stdout', false, true, true],
      ['stderr', false, true, true],
      ['stdout.previous', false, false, true],
      ['.stdout.index', false, false, false],
      ['.exitcode.tmp', false, false, false],
      ['pgid', false, false, false],
      [undefined, false, false, false],
    ];
    for (const [name, exitcode, current, any] of table) {
      expect(
        [isExitCodeFile(name), isLogName(name), name !== undefined && isLogFileName(name)],
        name,
      ).to.deep.equal([exitcode, current, any]);
    }
  });

  it('run files: claimed, begun (with the wrapper pid) or ended (with the status); reserved for the runner', () => {
    const table: Array<[string, ReturnType<typeof parseRunFile>]> = [
      ['claimed\n', { state: 'claimed' }],
      ['', { state: 'began', pgid: 0, beganAtMs: 1 }],
      ['4242\n', { state: 'began', pgid: 4242, beganAtMs: 1 }],
      ['4242\n0\n', { state: 'exited', exitCode: 0, beganAtMs: 1, endedAtMs: 2 }],
      ['4242\n137\n', { state: 'exited', exitCode: 137, beganAtMs: 1, endedAtMs: 2 }],
      ['4242\n13', { state: 'exited', exitCode: 13, beganAtMs: 1, endedAtMs: 2 }],
      ['4242\nx\n', { state: 'began', pgid: 4242, beganAtMs: 1 }],
    ];
    for (const [text, want] of table)
      expect(parseRunFile(text, 1, 2), JSON.stringify(text)).to.deep.equal(want);
    for (const name of ['.run-abc', '.run-', 'pgid', 'exitcode'])
      expect(isReservedContainerEntry(name), name).to.equal(true);
    for (const name of ['run', 'x.run-1', 'job'])
      expect(isReservedContainerEntry(name), name).to.equal(false);
  });

  it('the wrapper writes the exit code as the README shows', () => {
    expect(WRITE_EXIT_CODE_SH).to.equal(
      `printf '%s\\n' "$c" >&4 && PATH=/usr/bin:/bin mv -fT "$d/.exitcode.tmp" "$d/exitcode"`,
    );
  });

  describe('reads and writes (temp dirs)', () => {
    let root: string;
    let dir: string;
    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-cdir-'));
      dir = path.join(root, 'ns', 'p', 'containers', 'c1');
      mkdirSync(dir, { recursive: true });
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('pgid file: written tmp + rename, read back only when it names a group', () => {
      expect(readPgidFile(dir)).to.equal(undefined);
      writePgidFile(dir, 4242);
      expect(readFileSync(path.join(dir, 'pgid'), 'utf8')).to.equal('4242\n');
      expect(readdirSync(dir)).to.deep.equal(['pgid']);
      expect(readPgidFile(dir)?.pgid).to.equal(4242);
      for (const text of ['1\n', 'x\n', '']) {
        writeFileSync(path.join(dir, 'pgid'), text);
        expect(readPgidFile(dir), JSON.stringify(text)).to.equal(undefined);
      }
    });

    it('pgid file: never written through a symlink planted as the tmp file', () => {
      const target = path.join(dir, 'elsewhere');
      symlinkSync(target, path.join(dir, '.pgid.tmp'));
      expect(() => writePgidFile(dir, 7)).to.throw();
      expect(existsSync(target)).to.equal(false);
    });

    it('exitcode file: a number, or nothing', () => {
      const table: Array<[string | undefined, number | undefined]> = [
        [undefined, undefined],
        ['0\n', 0],
        ['137\n', 137],
        [' 3 ', 3],
        ['-1\n', undefined],
        ['x\n', undefined],
        ['', undefined],
      ];
      for (const [text, want] of table) {
        rmSync(path.join(dir, 'exitcode'), { force: true });
        if (text !== undefined) writeFileSync(path.join(dir, 'exitcode'), text);
        expect(readExitCodeFile(dir), JSON.stringify(text)).to.equal(want);
      }
      removeExitCodeFile(dir);
      expect(existsSync(path.join(dir, 'exitcode'))).to.equal(false);
      removeExitCodeFile(dir);
    });

    it('run logs are truncated when a run opens them; stderr info reports size or error', () => {
      expect(stderrFileInfo(dir)).to.have.property('error');
      writeFileSync(path.join(dir, 'stderr'), 'old run');
      const fd = openRunLog(dir, 'stderr');
      writeSync(fd, 'new');
      closeSync(fd);
      expect(readFileSync(path.join(dir, 'stderr'), 'utf8')).to.equal('new');
      expect(stderrFileInfo(dir)).to.deep.equal({ sizeBytes: 3 });
    });

    it('run file: a claim wins only where nothing began; reads report what the file says', () => {
      expect(readRunFile(dir, 't1')).to.deep.equal({ state: 'absent' });
      expect(claimRunFile(dir, 't1'), 'nothing began: claimed').to.equal(true);
      expect(readRunFile(dir, 't1')).to.deep.equal({ state: 'claimed' });
      expect(claimRunFile(dir, 't1'), 'already claimed').to.equal(false);
      writeFileSync(path.join(dir, '.run-t2'), '77\n');
      expect(claimRunFile(dir, 't2'), 'the run began').to.equal(false);
      expect(readRunFile(dir, 't2')).to.include({ state: 'began', pgid: 77 });
      writeFileSync(path.join(dir, '.run-t2'), '77\n5\n');
      expect(readRunFile(dir, 't2')).to.include({ state: 'exited', exitCode: 5 });
      expect(claimRunFile(path.join(dir, 'gone'), 't3'), 'no directory: nothing can begin').to.equal(true);
      removeRunFile(dir, 't2');
      removeRunFile(dir, 't2');
      expect(readdirSync(dir)).to.deep.equal(['.run-t1']);
    });

    it('moves a run to *.previous; a missing file clears the older previous one', () => {
      writeFileSync(path.join(dir, 'stdout'), 'out');
      writeIndexText(dir, 'stdout', '[[3,1]]');
      writeFileSync(path.join(dir, 'stderr.previous'), 'older run');
      writeFileSync(path.join(dir, '.stderr.previous.index'), '[]');
      expect(moveRunToPrevious(dir)).to.deep.equal([]);
      expect(readdirSync(dir).sort()).to.deep.equal(['.stdout.previous.index', 'stdout.previous']);
      expect(readIndexText(dir, 'stdout', true)).to.equal('[[3,1]]');
      expect(readIndexText(dir, 'stdout', false)).to.equal(undefined);
      expect(lstatSync(path.join(dir, 'stdout.previous')).size).to.equal(3);
    });

    it('every write refuses a container directory (or a parent below the root) replaced by a symlink', () => {
      const outside = path.join(root, 'outside');
      mkdirSync(outside);
      const cases: Array<[string, string]> = [
        [dir, dir],
        [path.join(root, 'ns', 'p', 'containers'), path.join(root, 'ns', 'p', 'containers')],
        [path.join(root, 'ns', 'p'), path.join(root, 'ns', 'p')],
      ];
      for (const [swapped, named] of cases) {
        renameSync(swapped, `${swapped}.real`);
        symlinkSync(outside, swapped);
        const refused = `refusing to write through symlink ${named}`;
        expect(() => openContainerDir(dir), swapped).to.throw(refused);
        expect(() => writePgidFile(dir, 7)).to.throw(refused);
        expect(() => openRunLog(dir, 'stdout')).to.throw(refused);
        expect(() => writeIndexText(dir, 'stdout', '[]')).to.throw(refused);
        expect(() => removeExitCodeFile(dir)).to.throw(refused);
        expect(() => claimRunFile(dir, 't1')).to.throw(refused);
        expect(() => removeRunFile(dir, 't1')).to.throw(refused);
        expect(moveRunToPrevious(dir).map((f) => errorMessage(f.err))).to.deep.equal([refused]);
        expect(readdirSync(outside), swapped).to.deep.equal([]);
        unlinkSync(swapped);
        renameSync(`${swapped}.real`, swapped);
      }
    });

    it('a held handle keeps writing in its directory; a swap of its path since is refused before the write', () => {
      const h = openContainerDir(dir);
      try {
        writePgidFile(h, 5);
        closeSync(openExitCodeTarget(h));
        expect(readdirSync(dir).sort()).to.deep.equal(['.exitcode.tmp', 'pgid']);
        renameSync(dir, `${dir}.real`);
        symlinkSync(root, dir);
        expect(() => writePgidFile(h, 6)).to.throw(/was replaced after it was checked \(now a symlink\)/);
        expect(readFileSync(path.join(`${dir}.real`, 'pgid'), 'utf8')).to.equal('5\n');
        expect(existsSync(path.join(root, 'pgid'))).to.equal(false);
      } finally {
        h.close();
      }
    });

    it('log and exitcode files are created afresh: a hard link there is unlinked, its target never truncated', () => {
      const target = path.join(root, 'precious');
      writeFileSync(target, 'keep');
      linkSync(target, path.join(dir, 'stdout'));
      linkSync(target, path.join(dir, '.exitcode.tmp'));
      closeSync(openRunLog(dir, 'stdout'));
      const h = openContainerDir(dir);
      try {
        closeSync(openExitCodeTarget(h));
      } finally {
        h.close();
      }
      expect(readFileSync(target, 'utf8')).to.equal('keep');
      expect(statSync(target).nlink).to.equal(1);
      symlinkSync(target, path.join(dir, 'stderr'));
      expect(() => openRunLog(dir, 'stderr')).to.throw(
        `refusing to write through symlink ${path.join(dir, 'stderr')}`,
      );
      expect(readFileSync(target, 'utf8')).to.equal('keep');
    });
  });
});
