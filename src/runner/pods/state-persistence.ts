import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import { ConfigError, errnoCode } from '../../common/errors.js';
import type { ProcessTable } from '../process/process-table.js';
import type { PodRecord } from './pod-record.js';
import { readStateFile } from './state-directory.js';

/**
 * One JSON file per pod under `<stateDir>/pods/` (directory 0700, files 0600:
 * env values may be secret). Writes are blocking and atomic against the
 * runner's death (not against power loss: no fsync): the record is written
 * to `<uid>.json.tmp`, the old `<uid>.json` unlinked, and the tmp file
 * renamed to the free name. Renaming over an existing file instead makes
 * ext4 (auto_da_alloc) write the new file's data back inside rename(2),
 * which cost about 3x the CPU and milliseconds of the event loop per save
 * on the start path. A runner killed between the unlink and the rename
 * leaves a complete tmp file and no record: loadAll takes the tmp file. A
 * tmp file beside a record is an interrupted write and is dropped.
 */
/** The largest encoding buffer kept between saves. */
const MAX_SCRATCH_BYTES = 256 * 1024;

/** Unlinks a file (a symlink itself, never its target); a missing one is fine. */
function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

export class PodStateStore {
  readonly podsDir: string;
  private scratch = Buffer.alloc(0);
  /**
   * Uids whose `<uid>.json` may exist: every record name loadAll saw and
   * every uid saved since, until remove(). A new pod's first save needs no
   * unlink (nothing to replace), which spares a syscall and a thrown ENOENT per pod.
   */
  private readonly onDisk = new Set<string>();

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.podsDir = path.join(stateDir, 'pods');
  }

  /** Creates the directories; idempotent. */
  init(): void {
    mkdirSync(path.dirname(this.podsDir), { recursive: true, mode: 0o700 });
    mkdirSync(this.podsDir, { recursive: true, mode: 0o700 });
  }

  /**
   * Claims the state directory for this process: `<stateDir>/runner.lock`
   * names the owning pid and its start time. A lock whose owner is still
   * alive is refused (two runners must not manage the same pods); a stale
   * one is taken over. Release with releaseLock().
   */
  acquireLock(table: ProcessTable): void {
    const file = path.join(path.dirname(this.podsDir), 'runner.lock');
    try {
      // Only a lock this user wrote (0600) counts; anyone else's is no reason to stop.
      const lock = readStateFile(file);
      if (lock && 'problem' in lock) {
        this.log.error({ file, problem: lock.problem }, `Ignoring lock file ${file}: ${lock.problem}`);
      } else if (lock) {
        const [pid, startTicks] = lock.text.trim().split(' ').map(Number);
        const owner = pid ? table.read(pid) : undefined;
        if (owner && owner.startTicks === startTicks && pid !== process.pid) {
          throw new ConfigError(
            `--state-dir: ${path.dirname(this.podsDir)} is in use by another runner (pid ${pid}); stop it or pick another --root-dir/--state-dir`,
          );
        }
      }
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      this.log.warn({ err, file }, 'Ignoring unreadable lock file');
    }
    const self = table.read(process.pid);
    // A tmp file left from before the directory was ours could be a planted symlink: unlink, never follow.
    removeIfPresent(`${file}.tmp`);
    writeFileSync(`${file}.tmp`, `${process.pid} ${self?.startTicks ?? 0}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /** Gives the state directory up (only if this process still holds it). */
  releaseLock(): void {
    const file = path.join(path.dirname(this.podsDir), 'runner.lock');
    try {
      if (Number(readFileSync(file, 'utf8').split(' ')[0]) === process.pid) unlinkSync(file);
    } catch {
      // already gone
    }
  }

  save(record: PodRecord): void {
    const file = path.join(this.podsDir, `${record.uid}.json`);
    const tmp = `${file}.tmp`;
    this.writeFile(tmp, JSON.stringify(record));
    // Unlinked first, so the rename never replaces a file (see above).
    if (this.onDisk.has(record.uid)) removeIfPresent(file);
    renameSync(tmp, file);
    this.onDisk.add(record.uid);
  }

  /**
   * Saves are the runner's most frequent writes: the text is encoded into one
   * reused buffer instead of a fresh one per save (less garbage to collect),
   * and written as writeFileSync would (created 0600, truncated).
   */
  private writeFile(file: string, text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const worstBytes = text.length * 3;
    if (worstBytes > MAX_SCRATCH_BYTES) {
      writeHugeText(file, text);
      return;
    }
    if (this.scratch.length < worstBytes) {
      this.scratch = Buffer.allocUnsafe(Math.min(MAX_SCRATCH_BYTES, worstBytes * 2));
    }
    const buffer = this.scratch;
    const length = buffer.write(text, 0, 'utf8');
    const fd = openSync(file, 'w', 0o600);
    try {
      let done = 0;
      while (done < length) done += writeSync(fd, buffer, done, length - done);
    } finally {
      closeSync(fd);
    }
  }

  remove(uid: string): void {
    this.onDisk.delete(uid);
    try {
      unlinkSync(path.join(this.podsDir, `${uid}.json`));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }

  /**
   * Every readable record this user wrote; damaged files, and files not
   * owned by this user or not mode 0600 (see readStateFile), are logged and
   * skipped. Leftover tmp files of interrupted saves are removed.
   */
  loadAll(): PodRecord[] {
    const out: PodRecord[] = [];
    let names: string[];
    try {
      names = readdirSync(this.podsDir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return out;
      throw err;
    }
    const records = new Set(names.filter((n) => n.endsWith('.json')));
    // Records this store cannot read are still files a save of their uid must unlink first.
    for (const n of names) {
      if (n.endsWith('.json')) this.onDisk.add(n.slice(0, -'.json'.length));
      else if (n.endsWith('.json.tmp')) this.onDisk.add(n.slice(0, -'.json.tmp'.length));
    }
    for (const name of names.filter((n) => n.endsWith('.tmp'))) {
      const target = name.slice(0, -'.tmp'.length);
      try {
        if (target.endsWith('.json') && !records.has(target) && this.promote(name, target)) {
          records.add(target);
          continue;
        }
        removeIfPresent(path.join(this.podsDir, name));
      } catch (err) {
        this.log.warn({ err, file: name }, 'Cannot remove a leftover tmp file');
      }
    }
    for (const name of records) {
      const file = path.join(this.podsDir, name);
      try {
        const read = readStateFile(file);
        if (!read) continue;
        if ('problem' in read) {
          this.log.error({ file, problem: read.problem }, `Skipping pod record ${file}: ${read.problem}`);
          continue;
        }
        out.push(parseRecord(read.text));
      } catch (err) {
        this.log.error({ err, file: name }, 'Skipping unreadable pod state');
      }
    }
    return out;
  }

  /**
   * A save interrupted between its unlink and its rename left `tmp` complete
   * and no record: renames it into place when it is a record this user
   * wrote (readStateFile) and whole. False otherwise (the caller drops it).
   */
  private promote(tmp: string, target: string): boolean {
    const file = path.join(this.podsDir, tmp);
    const read = readStateFile(file);
    if (!read || 'problem' in read) return false;
    try {
      parseRecord(read.text);
    } catch {
      return false;
    }
    renameSync(file, path.join(this.podsDir, target));
    this.log.info({ file }, 'Took the record of a save the last runner did not finish');
    return true;
  }
}

/**
 * Writes a huge record's text (a pod of hundreds of containers: a MB and
 * more) as writeFileSync would, but without a fresh buffer of the worst
 * case (3 bytes a unit): Node encodes the string for the write itself, which
 * costs a fifth of the CPU (no new pages to fault in) and keeps the RSS
 * flat. A short write (not expected for a regular file) is finished from
 * an encoded copy.
 */
function writeHugeText(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    const written = writeSync(fd, text);
    if (written < Buffer.byteLength(text)) {
      const rest = Buffer.from(text).subarray(written);
      let done = 0;
      while (done < rest.length) done += writeSync(fd, rest, done, rest.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

/** A pod record from its file's text; throws on anything else (a torn write never parses). */
function parseRecord(text: string): PodRecord {
  const record = JSON.parse(text) as PodRecord;
  if (record.version !== 1 || !record.uid || !Array.isArray(record.containers))
    throw new Error('unknown format');
  return record;
}
