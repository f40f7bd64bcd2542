import { appendFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import { errnoCode } from '../../common/errors.js';
import { readStateFile } from './state-directory.js';

/** How many deleted uids are remembered. */
export const DELETED_PODS_KEPT = 10_000;

/**
 * The uids of pods this runner finished deleting, most recent last, so that
 * a CreatePod retried after its DeletePod completed does not run the pod a
 * second time. Bounded: the oldest are forgotten first. Persisted (when a
 * file is given) as one uid per line, appended on each deletion and
 * rewritten (tmp + rename) when it holds twice the bound; a lost or damaged
 * file only makes the runner forget. A file this user did not write (another
 * owner, a mode other than 0600, a symlink) is not read, and is replaced by
 * the next write instead of appended to. Blocking IO.
 */
export class DeletedPods {
  private readonly uids = new Set<string>();
  private lines = 0;
  /** The file on disk is not to be trusted: the next write rewrites it. */
  private replace = false;

  constructor(
    private readonly file: string | undefined,
    private readonly log: Logger,
    private readonly max = DELETED_PODS_KEPT,
  ) {}

  /** Reads the file (once, at start). */
  load(): void {
    if (!this.file) return;
    let read;
    try {
      read = readStateFile(this.file);
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'Cannot read deleted pod uids');
      return;
    }
    if (!read) return;
    if ('problem' in read) {
      this.replace = true;
      this.log.error(
        { file: this.file, problem: read.problem },
        `Ignoring deleted pod uids in ${this.file}: ${read.problem}`,
      );
      return;
    }
    const lines = read.text.split('\n').filter((l) => l !== '');
    this.lines = lines.length;
    for (const uid of lines) this.remember(uid);
  }

  has(uid: string): boolean {
    return this.uids.has(uid);
  }

  add(uid: string): void {
    this.remember(uid);
    if (!this.file) return;
    try {
      if (this.replace || this.lines >= 2 * this.max) {
        this.rewrite();
      } else {
        appendFileSync(this.file, `${uid}\n`, { mode: 0o600 });
        this.lines++;
      }
    } catch (err) {
      this.log.warn({ err, file: this.file }, 'Cannot persist deleted pod uid');
    }
  }

  private remember(uid: string): void {
    // Re-adding moves a uid to the end: it was deleted again, most recently.
    this.uids.delete(uid);
    this.uids.add(uid);
    if (this.uids.size > this.max) this.uids.delete(this.uids.values().next().value!);
  }

  private rewrite(): void {
    const tmp = `${this.file!}.tmp`;
    // Never write through whatever was left at the tmp name.
    try {
      unlinkSync(tmp);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    writeFileSync(tmp, [...this.uids].map((u) => `${u}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, this.file!);
    this.lines = this.uids.size;
    this.replace = false;
  }
}
