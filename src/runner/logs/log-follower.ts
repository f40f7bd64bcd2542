import type { FileHandle } from 'node:fs/promises';
import type { LogName } from '../files/container-dir.js';
import type { ContainerLogs } from './container-logs.js';
import type { LogTimeIndex } from './log-index.js';
import { sizeOf, timedLines, type Line, type Output } from './log-output.js';

const FOLLOW_SAFETY_MS = 1_000;

/** What the reader needs to know about the container while following. */
export interface FollowSource {
  logs: ContainerLogs;
  /** True while the container's current run may still write. */
  isActive(): boolean;
}

/** Where a follower reads: the run's open files, their time indexes and the offset reached in each. */
export interface FollowedFiles {
  handles: ReadonlyMap<LogName, FileHandle | undefined>;
  indexes: ReadonlyMap<LogName, LogTimeIndex>;
  positions: Map<LogName, number>;
}

/**
 * Follows a run's logs from `positions`: complete lines as the files grow
 * (woken by fs.watch through ContainerLogs, with a slow safety timer), and
 * the rest, partial last line included, once the run is over. The files
 * were opened before, so moving them aside (`*.previous`) does not lose the
 * end. A file that shrank (truncated) is read again from its start. Returns
 * when the run is over and everything is written, or the output is finished.
 */
export async function followLogs(
  streams: readonly LogName[],
  files: FollowedFiles,
  source: FollowSource,
  out: Output,
  nowMs: () => number,
): Promise<void> {
  let wake: (() => void) | undefined;
  const unsubscribe = source.logs.onGrow(() => wake?.());
  try {
    for (;;) {
      const active = source.isActive();
      const batch: Line[] = [];
      for (const name of streams) {
        const handle = files.handles.get(name);
        const end = await sizeOf(handle);
        const reached = files.positions.get(name) ?? 0;
        const start = end < reached ? 0 : reached;
        files.positions.set(name, start);
        const lines = timedLines(
          handle,
          files.indexes.get(name)!,
          { start, end },
          { sinceMs: undefined, completeOnly: active, nowMs: nowMs() },
          (offset) => files.positions.set(name, offset),
        );
        for await (const line of lines) batch.push(line);
      }
      for (const line of batch.sort((a, b) => a.timeMs - b.timeMs)) {
        await out.line(line);
        if (out.finished) break;
      }
      await out.flush();
      if (!active || out.finished) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FOLLOW_SAFETY_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
