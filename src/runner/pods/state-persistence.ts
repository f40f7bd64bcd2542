import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import { errnoCode } from '../../common/errors.js';
import { crashPoint } from '../crash-points.js';
import type { PodRecord } from './pod-record.js';
import { recordFromLog } from './pod-record-log.js';
import { readStateFile, removeIfPresent } from './state-directory.js';

/**
 * One file per pod under `<stateDir>/pods/` (directory 0700, files 0600: env
 * values may be secret): `<uid>.json` is the log of the pod's saves, one
 * JSON text per line, the last complete line being the record (see
 * pod-record-log.ts). Writes are blocking and atomic against the runner's
 * death (not against power loss: no fsync).
 *
 * A save appends one line to the file it wrote or loaded, so a pod's file
 * is created once: a pod lifecycle saves about six times, and on ext4
 * without a journal every file created costs a scan over the inodes freed
 * in the last minutes, which grew to the largest item of the runner's
 * profile when each save was a new file (decision 0014). Once the file
 * holds COMPACT_MIN_BYTES plus COMPACT_FACTOR times the record, and when it
 * is not one this store wrote or read, the save rewrites it instead: the
 * record is written to `<uid>.json.tmp`, the old `<uid>.json` unlinked, and
 * the tmp file renamed to the free name. Renaming over an existing file
 * instead makes ext4 (auto_da_alloc) write the new file's data back inside
 * rename(2), which cost about 3x the CPU and milliseconds of the event loop
 * per save. A runner killed between the unlink and the rename leaves a
 * complete tmp file and no record: loadAll takes the tmp file. A tmp file
 * beside a record is an interrupted write and is dropped.
 */
/** The largest encoding buffer kept between saves. */
const MAX_SCRATCH_BYTES = 256 * 1024;
/** A record file is rewritten with only its last save once it holds MIN + FACTOR x the record's bytes. */
const COMPACT_MIN_BYTES = 64 * 1024;
const COMPACT_FACTOR = 4;
/** Appends follow no symlink: the file must be the one this store wrote or read. */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW;

export class PodStateStore {
  readonly podsDir: string;
  private scratch = Buffer.alloc(0);
  /**
   * Uids whose `<uid>.json` may exist: every record name loadAll saw and
   * every uid saved since, until remove(). A new pod's first save needs no
   * unlink (nothing to replace), which spares a syscall and a thrown ENOENT per pod.
   */
  private readonly onDisk = new Set<string>();
  /**
   * The files a save may append to, by uid, with their size in bytes: the
   * ones this store wrote or loaded. Any other `<uid>.json` (skipped as not
   * this user's) is replaced by the next save, never appended to.
   */
  private readonly appendable = new Map<string, number>();

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

  /** Records the pod's state; throws the file system's error when it cannot. */
  save(record: PodRecord): void {
    const text = JSON.stringify(record);
    const size = this.appendable.get(record.uid);
    if (size !== undefined && size < COMPACT_MIN_BYTES + COMPACT_FACTOR * text.length) {
      const appended = this.append(record.uid, text);
      if (appended !== undefined) {
        this.appendable.set(record.uid, size + appended);
        return;
      }
    }
    this.rewrite(record.uid, text);
  }

  /**
   * Appends the line; undefined when the file is gone or a symlink took its
   * place behind the store's back (the save then rewrites it, never writing
   * through the link).
   */
  private append(uid: string, text: string): number | undefined {
    let fd: number;
    try {
      fd = openSync(this.fileOf(uid), APPEND_FLAGS);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ELOOP') return undefined;
      throw err;
    }
    try {
      crashPoint('save.inside-append', () => writeSync(fd, text.slice(0, text.length >> 1)));
      return this.writeLine(fd, text);
    } catch (err) {
      // Part of the line may be written (ENOSPC, EIO): the next save starts the file again.
      this.appendable.delete(uid);
      throw err;
    } finally {
      closeSync(fd);
    }
  }

  /** Replaces the file with one holding only this save (see the header). */
  private rewrite(uid: string, text: string): void {
    const file = this.fileOf(uid);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    let bytes: number;
    try {
      bytes = this.writeLine(fd, text);
    } finally {
      closeSync(fd);
    }
    // Unlinked first, so the rename never replaces a file (see above).
    if (this.onDisk.has(uid)) removeIfPresent(file);
    renameSync(tmp, file);
    this.onDisk.add(uid);
    this.appendable.set(uid, bytes);
  }

  /**
   * Writes `text` and its newline; returns the bytes written. Saves are the
   * runner's most frequent writes: the text is encoded into one reused
   * buffer instead of a fresh one per save (less garbage to collect).
   */
  private writeLine(fd: number, text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit, and one for the newline.
    const worstBytes = text.length * 3 + 1;
    if (worstBytes > MAX_SCRATCH_BYTES) return writeHugeLine(fd, text);
    if (this.scratch.length < worstBytes) {
      this.scratch = Buffer.allocUnsafe(Math.min(MAX_SCRATCH_BYTES, worstBytes * 2));
    }
    const length = this.scratch.write(text, 0, 'utf8');
    this.scratch[length] = NEWLINE;
    writeFully(fd, this.scratch.subarray(0, length + 1));
    return length + 1;
  }

  remove(uid: string): void {
    this.onDisk.delete(uid);
    this.appendable.delete(uid);
    try {
      unlinkSync(this.fileOf(uid));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }

  private fileOf(uid: string): string {
    return path.join(this.podsDir, `${uid}.json`);
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
        const found = recordFromLog(read.text);
        if (!found) throw new Error('no save in it is complete');
        const uid = name.slice(0, -'.json'.length);
        // A cut save or an earlier runner's format: one clean line before anything is appended.
        if (found.repair === 'none') this.appendable.set(uid, Buffer.byteLength(read.text));
        else {
          this.rewrite(uid, found.line);
          this.log.info(
            { file, repair: found.repair },
            'Rewrote a pod record left by a cut save or an earlier runner',
          );
        }
        out.push(found.record);
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
      if (!recordFromLog(read.text)) return false;
    } catch {
      return false;
    }
    renameSync(file, path.join(this.podsDir, target));
    this.log.info({ file }, 'Took the record of a save the last runner did not finish');
    return true;
  }
}

const NEWLINE = 0x0a;

function writeFully(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes a huge record's line (a pod of hundreds of containers: a MB and
 * more) without a fresh buffer of the worst case (3 bytes a unit): Node
 * encodes the string for the write itself, which costs a fifth of the CPU
 * (no new pages to fault in) and keeps the RSS flat. A short write (not
 * expected for a regular file) is finished from an encoded copy. Returns
 * the bytes written.
 */
function writeHugeLine(fd: number, text: string): number {
  const line = `${text}\n`;
  const written = writeSync(fd, line);
  const total = Buffer.byteLength(line);
  if (written < total) writeFully(fd, Buffer.from(line).subarray(written));
  return total;
}
