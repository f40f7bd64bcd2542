import { statSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import { errnoCode } from '../../common/errors.js';
import {
  indexFile,
  isExitCodeFile,
  isLogName,
  LOG_NAMES,
  logFile,
  moveRunToPrevious,
  readIndexText,
  writeIndexText,
  type LogName,
} from '../files/container-dir.js';
import { LogTimeIndex } from './log-index.js';

const STAT_THROTTLE_MS = 50;
const PERSIST_DEBOUNCE_MS = 2_000;

/** Loads a persisted time index; an absent or damaged file gives an empty index. */
export function loadIndex(dir: string, name: LogName, previous: boolean): LogTimeIndex {
  const text = readIndexText(dir, name, previous);
  if (text === undefined) return new LogTimeIndex();
  try {
    return LogTimeIndex.fromJSON(JSON.parse(text));
  } catch {
    return new LogTimeIndex();
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The logs of one container: notices growth of its stdout/stderr files with
 * fs.watch on the container directory (no polling), keeps their time indexes
 * (persisted next to the logs) and tells listeners. Also reports the
 * appearance of the exitcode file. start()/stop() bracket a run; rotate()
 * moves the finished run's logs aside as `*.previous` before a restart.
 */
export class ContainerLogs {
  private loaded: Record<LogName, LogTimeIndex> | undefined;
  private dirty = false;
  private watcher: FSWatcher | undefined;
  private readonly listeners = new Set<() => void>();
  private lastStatMs = 0;
  private statTimer: NodeJS.Timeout | undefined;
  private persistTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly onExitCodeFile: () => void = () => undefined,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The time indexes of the current run, loaded from disk on first use. */
  get indexes(): Record<LogName, LogTimeIndex> {
    if (!this.loaded)
      this.loaded = {
        stdout: loadIndex(this.dir, 'stdout', false),
        stderr: loadIndex(this.dir, 'stderr', false),
      };
    return this.loaded;
  }

  /** Starts watching (idempotent). A fresh run passes `fresh` to reset the indexes. */
  start(fresh: boolean): void {
    if (fresh) {
      this.loaded = { stdout: new LogTimeIndex(), stderr: new LogTimeIndex() };
      this.dirty = true;
    }
    if (!this.watcher) {
      try {
        this.watcher = watch(this.dir, { persistent: false }, (_event, filename) => this.onEvent(filename));
        this.watcher.on('error', (err) => this.log.debug({ err }, 'Log watcher failed'));
      } catch (err) {
        this.log.warn({ err, dir: this.dir }, 'Cannot watch container directory; log times are coarser');
      }
    }
    this.refresh();
  }

  /** Stops watching after a last look at the files; persists the indexes. */
  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.statTimer) clearTimeout(this.statTimer);
    this.statTimer = undefined;
    this.refresh();
    this.persist();
    // Followers also need to learn that the run is over.
    for (const l of [...this.listeners]) l();
  }

  /** Moves the current logs and their indexes to `*.previous` (before a restart). */
  rotate(): void {
    this.persist();
    for (const { file, err } of moveRunToPrevious(this.dir)) {
      this.log.warn({ err, file }, 'Cannot keep previous log');
    }
    this.loaded = { stdout: new LogTimeIndex(), stderr: new LogTimeIndex() };
    this.dirty = false;
  }

  /** Calls `listener` after the logs grew; returns the unsubscribe function. */
  onGrow(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Looks at both files now and records growth. */
  refresh(): void {
    this.lastStatMs = this.nowMs();
    let grew = false;
    for (const name of LOG_NAMES) {
      if (this.indexes[name].record(sizeOf(logFile(this.dir, name, false)), this.lastStatMs)) grew = true;
    }
    if (grew) {
      this.dirty = true;
      this.schedulePersist();
      for (const l of [...this.listeners]) l();
    }
  }

  private onEvent(filename: string | Buffer | null): void {
    const name = filename?.toString();
    if (isExitCodeFile(name)) {
      this.onExitCodeFile();
      return;
    }
    if (name !== undefined && !isLogName(name)) return;
    const since = this.nowMs() - this.lastStatMs;
    if (since >= STAT_THROTTLE_MS) {
      this.refresh();
    } else if (!this.statTimer) {
      this.statTimer = setTimeout(() => {
        this.statTimer = undefined;
        this.refresh();
      }, STAT_THROTTLE_MS - since);
      this.statTimer.unref();
    }
  }

  private schedulePersist(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      this.persist();
    }, PERSIST_DEBOUNCE_MS);
    this.persistTimer.unref();
  }

  /** Writes both indexes (tmp + rename). Best effort: a lost index only makes times coarser. */
  persist(): void {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    for (const name of LOG_NAMES) {
      if (this.indexes[name].size === 0) continue;
      try {
        writeIndexText(this.dir, name, JSON.stringify(this.indexes[name].toJSON()));
      } catch (err) {
        const file = indexFile(this.dir, name, false);
        if (errnoCode(err) !== 'ENOENT') this.log.debug({ err, file }, 'Cannot persist log index');
      }
    }
  }
}
