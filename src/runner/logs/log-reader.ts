import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { logFile, type LogName } from '../files/container-dir.js';
import { loadIndex, type ContainerLogs } from './container-logs.js';
import { followLogs, type FollowSource } from './log-follower.js';
import type { LogTimeIndex } from './log-index.js';
import type { LogOptions } from './log-options.js';
import { Output, sizeOf, tailStart, timedLines, type Line, type LogSink } from './log-output.js';

export type { LogSink } from './log-output.js';

/** Merges per-stream line iterators by time (stdout first on a tie). */
async function* mergeByTime(sources: Array<AsyncIterator<Line>>): AsyncGenerator<Line> {
  // A consumer that stops early (limitBytes, a closed client) must still
  // finish every source.
  try {
    const heads: Array<Line | undefined> = [];
    for (const s of sources) {
      const r = await s.next();
      heads.push(r.done ? undefined : r.value);
    }
    for (;;) {
      let best = -1;
      heads.forEach((h, i) => {
        if (h && (best === -1 || h.timeMs < heads[best]!.timeMs)) best = i;
      });
      if (best === -1) return;
      yield heads[best]!;
      const r = await sources[best]!.next();
      heads[best] = r.done ? undefined : r.value;
    }
  } finally {
    await Promise.all(sources.map((s) => s.return?.()));
  }
}

async function openIfPresent(file: string): Promise<FileHandle | undefined> {
  try {
    // Never through a symlink: a container that runs as another user than a root runner owns its
    // directory and could point its log at a file only root may read.
    return await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
}

/**
 * Streams a container's logs per the options (`previous` picks the
 * `*.previous` files). Without follow it writes what the files hold and
 * returns; with follow it keeps writing complete lines as the files grow and
 * returns once the run is over and the rest is written, or when the sink
 * closes (see followLogs). Each file is opened once, so a rotation while
 * reading does not cut the output. Times come from the logs' time indexes.
 */
export async function streamLogs(
  dir: string,
  options: LogOptions,
  sink: LogSink,
  current: ContainerLogs | undefined,
  follow: FollowSource | undefined,
  nowMs: () => number = Date.now,
): Promise<void> {
  const previous = options.previous;
  const handles = new Map<LogName, FileHandle | undefined>();
  try {
    const indexes = new Map<LogName, LogTimeIndex>();
    const ends = new Map<LogName, number>();
    if (!previous) current?.refresh();
    for (const name of options.streams) {
      const handle = await openIfPresent(logFile(dir, name, previous));
      handles.set(name, handle);
      indexes.set(name, !previous && current ? current.indexes[name] : loadIndex(dir, name, previous));
      ends.set(name, await sizeOf(handle));
    }
    const out = new Output(sink, options);
    const now = nowMs();
    const starts = new Map<LogName, number>();
    for (const name of options.streams) {
      const index = indexes.get(name)!;
      let start =
        options.sinceMs !== undefined ? Math.min(index.offsetSince(options.sinceMs), ends.get(name)!) : 0;
      if (options.tailLines !== undefined) {
        start = await tailStart(handles.get(name), start, ends.get(name)!, options.tailLines);
      }
      starts.set(name, start);
    }
    const following = options.follow && follow !== undefined && follow.isActive();
    const positions = new Map<LogName, number>(starts);
    const lines = mergeByTime(
      options.streams.map((name) =>
        timedLines(
          handles.get(name),
          indexes.get(name)!,
          { start: starts.get(name)!, end: ends.get(name)! },
          { sinceMs: options.sinceMs, completeOnly: following, nowMs: now },
          (offset) => positions.set(name, offset),
        ),
      ),
    );
    if (options.tailLines !== undefined && options.streams.length > 1) {
      const all: Line[] = [];
      for await (const line of lines) all.push(line);
      for (const line of all.slice(Math.max(0, all.length - options.tailLines))) await out.line(line);
    } else {
      for await (const line of lines) {
        await out.line(line);
        if (out.finished) break;
      }
    }
    await out.flush();
    if (!following || out.finished) return;
    await followLogs(options.streams, { handles, indexes, positions }, follow, out, nowMs);
  } finally {
    await Promise.all([...handles.values()].map((h) => h?.close()));
  }
}
