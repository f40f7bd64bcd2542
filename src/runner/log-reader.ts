import { open, stat } from 'node:fs/promises';
import { loadIndex, logFile, type ContainerLogs, type LogName } from './container-logs.js';
import type { LogTimeIndex } from './log-index.js';
import { timestampPrefix, type LogOptions } from './log-options.js';

const READ_CHUNK_BYTES = 64 * 1024;
const SEND_CHUNK_BYTES = 32 * 1024;
const FOLLOW_SAFETY_MS = 1_000;

/** Where output goes; write() resolves when the consumer can take more. */
export interface LogSink {
  write(data: Buffer): Promise<void>;
  readonly closed: boolean;
}

/** What the reader needs to know about the container while following. */
export interface FollowSource {
  logs: ContainerLogs;
  /** True while the container's current run may still write. */
  isActive(): boolean;
}

interface Line {
  data: Buffer;
  timeMs: number;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Reads [start, end) of a file as lines; the last one may lack its newline. */
async function* readLines(
  file: string,
  start: number,
  end: number,
): AsyncGenerator<{ offset: number; data: Buffer }> {
  if (end <= start) return;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return;
  }
  try {
    let pos = start;
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = start;
    while (pos < end) {
      const buf = Buffer.alloc(Math.min(READ_CHUNK_BYTES, end - pos));
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      let data =
        carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let lineStart = 0;
      let nl = data.indexOf(10, lineStart);
      while (nl !== -1) {
        yield { offset: carryOffset + lineStart, data: data.subarray(lineStart, nl + 1) };
        lineStart = nl + 1;
        nl = data.indexOf(10, lineStart);
      }
      carryOffset += lineStart;
      data = data.subarray(lineStart);
      carry = Buffer.from(data);
    }
    if (carry.length > 0) yield { offset: carryOffset, data: carry };
  } finally {
    await handle.close();
  }
}

/** The offset from which the last `lines` lines of [floor, end) start. */
async function tailStart(file: string, floor: number, end: number, lines: number): Promise<number> {
  if (lines === 0) return end;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return end;
  }
  try {
    let pos = end;
    let seen = 0;
    // A trailing newline ends the last line rather than starting a new one.
    let skipLast = true;
    while (pos > floor) {
      const len = Math.min(READ_CHUNK_BYTES, pos - floor);
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos - len);
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 10) {
          skipLast = false;
          continue;
        }
        if (skipLast) {
          skipLast = false;
          continue;
        }
        seen++;
        if (seen === lines) return pos - len + i + 1;
      }
      pos -= len;
    }
    return floor;
  } finally {
    await handle.close();
  }
}

class Output {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private sent = 0;
  done = false;

  constructor(
    private readonly sink: LogSink,
    private readonly options: LogOptions,
  ) {}

  async line(line: Line): Promise<void> {
    if (this.done) return;
    let data = this.options.timestamps
      ? Buffer.concat([Buffer.from(timestampPrefix(line.timeMs)), line.data])
      : line.data;
    if (this.options.limitBytes !== undefined) {
      const left = this.options.limitBytes - this.sent - this.pendingBytes;
      if (data.length >= left) {
        data = data.subarray(0, left);
        this.done = true;
      }
    }
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= SEND_CHUNK_BYTES || this.done) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0 || this.sink.closed) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.sent += this.pendingBytes;
    this.pendingBytes = 0;
    await this.sink.write(chunk);
  }
}

function timed(index: LogTimeIndex, nowMs: number) {
  return (l: { offset: number; data: Buffer }): Line => ({
    data: l.data,
    timeMs: index.timeOf(l.offset) ?? nowMs,
  });
}

/** Merges per-stream line iterators by time (stdout first on a tie). */
async function* mergeByTime(sources: Array<AsyncIterator<Line>>): AsyncGenerator<Line> {
  // A consumer that stops early (limitBytes, a closed client) must still close
  // every source, or their file handles stay open until garbage collection.
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

async function* timedLines(
  file: string,
  index: LogTimeIndex,
  start: number,
  end: number,
  sinceMs: number | undefined,
  nowMs: number,
): AsyncGenerator<Line> {
  const toLine = timed(index, nowMs);
  for await (const raw of readLines(file, start, end)) {
    const line = toLine(raw);
    if (sinceMs !== undefined && line.timeMs < sinceMs) continue;
    yield line;
  }
}

/**
 * Streams a container's logs per the options. Without follow it writes what
 * the files hold and returns; with follow it keeps writing complete lines as
 * the files grow (woken by fs.watch through ContainerLogs, with a slow safety
 * timer) and returns once the run is over and the rest is written, or when
 * the sink closes. Times come from the logs' time indexes.
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
  const indexes = new Map<LogName, LogTimeIndex>();
  const ends = new Map<LogName, number>();
  for (const name of options.streams) {
    const file = logFile(dir, name, previous);
    if (!previous && current) current.refresh();
    indexes.set(name, !previous && current ? current.indexes[name] : loadIndex(dir, name, previous));
    ends.set(name, await fileSize(file));
  }
  const out = new Output(sink, options);
  const now = nowMs();
  const starts = new Map<LogName, number>();
  for (const name of options.streams) {
    const index = indexes.get(name)!;
    let start =
      options.sinceMs !== undefined ? Math.min(index.offsetSince(options.sinceMs), ends.get(name)!) : 0;
    if (options.tailLines !== undefined) {
      start = await tailStart(logFile(dir, name, previous), start, ends.get(name)!, options.tailLines);
    }
    starts.set(name, start);
  }
  const following = options.follow && follow !== undefined && follow.isActive();
  // While following, a trailing partial line waits for its newline (or the end of the run).
  const positions = new Map<LogName, number>();
  const lines = mergeByTime(
    options.streams.map((name) => {
      const gen = timedLines(
        logFile(dir, name, previous),
        indexes.get(name)!,
        starts.get(name)!,
        ends.get(name)!,
        options.sinceMs,
        now,
      );
      return (async function* () {
        let pos = starts.get(name)!;
        for await (const line of gen) {
          if (following && line.data[line.data.length - 1] !== 10) break;
          pos += line.data.length;
          positions.set(name, pos);
          yield line;
        }
        positions.set(name, pos);
      })();
    }),
  );
  if (options.tailLines !== undefined && options.streams.length > 1) {
    const all: Line[] = [];
    for await (const line of lines) all.push(line);
    for (const line of all.slice(Math.max(0, all.length - options.tailLines))) await out.line(line);
  } else {
    for await (const line of lines) {
      await out.line(line);
      if (out.done || sink.closed) break;
    }
  }
  await out.flush();
  if (!following || out.done || sink.closed) return;
  await followLogs(dir, options, sink, follow, positions, out, nowMs);
}

async function followLogs(
  dir: string,
  options: LogOptions,
  sink: LogSink,
  source: FollowSource,
  positions: Map<LogName, number>,
  out: Output,
  nowMs: () => number,
): Promise<void> {
  let wake: (() => void) | undefined;
  const unsubscribe = source.logs.onGrow(() => wake?.());
  try {
    for (;;) {
      const active = source.isActive();
      const batch: Line[][] = [];
      for (const name of options.streams) {
        const file = logFile(dir, name, false);
        const end = await fileSize(file);
        const start = positions.get(name) ?? 0;
        if (end < start) positions.set(name, 0);
        const lines: Line[] = [];
        let pos = Math.min(start, end);
        for await (const raw of readLines(file, pos, end)) {
          if (active && raw.data[raw.data.length - 1] !== 10) break;
          pos += raw.data.length;
          lines.push({ data: raw.data, timeMs: source.logs.indexes[name].timeOf(raw.offset) ?? nowMs() });
        }
        positions.set(name, pos);
        batch.push(lines);
      }
      const merged = batch.flat().sort((a, b) => a.timeMs - b.timeMs);
      for (const line of merged) {
        await out.line(line);
        if (out.done || sink.closed) break;
      }
      await out.flush();
      if (!active || out.done || sink.closed) return;
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
