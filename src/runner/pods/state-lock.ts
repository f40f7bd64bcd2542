import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import { ConfigError } from '../../common/errors.js';
import type { ProcessTable } from '../process/process-table.js';
import { readStateFile, removeIfPresent } from './state-directory.js';

/**
 * `<stateDir>/runner.lock`: which runner process uses the state directory
 * (two runners must not manage the same pods). Written 0600, tmp + rename.
 */
export class StateLock {
  private readonly file: string;

  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
  ) {
    this.file = path.join(stateDir, 'runner.lock');
  }

  /**
   * Claims the state directory for this process: `<stateDir>/runner.lock`
   * names the owning pid and its start time. A lock whose owner is still
   * alive is refused (two runners must not manage the same pods); a stale
   * one is taken over. Release with release().
   */
  acquire(table: ProcessTable): void {
    const { file } = this;
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
            `--state-dir: ${this.stateDir} is in use by another runner (pid ${pid}); stop it or pick another --root-dir/--state-dir`,
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
  release(): void {
    try {
      if (Number(readFileSync(this.file, 'utf8').split(' ')[0]) === process.pid) unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}
