import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import { errnoCode } from '../errors.js';

/** How many deleted uids are remembered. */
export const DELETED_PODS_KEPT = 10_000;

/**
 * The uids of pods this runner finished deleting, most recent last, so that
 * a CreatePod retried after its DeletePod completed does not run the pod a
 * second time. Bounded: the oldest are forgotten first. Persisted (when a
 * file is given) as one uid per line, appended on each deletion and
 * rewritten (tmp + rename) when it holds twice the bound; a lost or damaged
 * file only makes the runner forget. Blocking IO.
 */
export class DeletedPods {
  private readonly uids = new Set<string>();
  private lines = 0;

  constructor(
    private readonly file: string | undefined,
    private readonly log: Logger,
    private readonly max = DELETED_PODS_KEPT,
  ) {}

  /** Reads the file (once, at start). */
  load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT')
        this.log.warn({ err, file: this.file }, 'Cannot read deleted pod uids');
      return;
    }
    const lines = text.split('\n').filter((l) => l !== '');
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
      if (this.lines >= 2 * this.max) {
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
    writeFileSync(tmp, [...this.uids].map((u) => `${u}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, this.file!);
    this.lines = this.uids.size;
  }
}
