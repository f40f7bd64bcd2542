import type { FileHandle } from 'node:fs/promises';
import type { LogTimeIndex } from './log-index.js';
import { timestampPrefix, type LogOptions } from './log-options.js';

const READ_CHUNK_BYTES = 64 * 1024;
const SEND_CHUNK_BYTES = 32 * 1024;

/** Where output goes; write() resolves when the consumer can take more. */
export interface LogSink {
  write(data: Buffer): Promise<void>;
  readonly closed: boolean;
}

/** One line of a log (the last one may lack its newline) and when it was first seen. */
export interface Line {
  data: Buffer;
  timeMs: number;
}

/** The size of an open log file; 0 when there is none. */
export async function sizeOf(handle: FileHandle | undefined): Promise<number> {
  if (!handle) return 0;
  try {
    return (await handle.stat()).size;
  } catch {
    return 0;
  }
}

/** Reads [start, end) of an open file as lines; the last one may lack its newline. */
export async function* readLines(
  handle: FileHandle | undefined,
  start: number,
  end: number,
): AsyncGenerator<{ offset: number; data: Buffer }> {
  if (!handle || end <= start) return;
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
}

/**
 * Lines of [start, end) with their times, skipping those before `sinceMs`.
 * While following, a trailing partial line waits for its newline (or the
 * end of the run); `reached` gets the offset after the last line yielded.
 */
export async function* timedLines(
  handle: FileHandle | undefined,
  index: LogTimeIndex,
  range: { start: number; end: number },
  options: { sinceMs: number | undefined; completeOnly: boolean; nowMs: number },
  reached: (offset: number) => void,
): AsyncGenerator<Line> {
  let pos = range.start;
  for await (const raw of readLines(handle, range.start, range.end)) {
    if (options.completeOnly && raw.data[raw.data.length - 1] !== 10) break;
    pos += raw.data.length;
    reached(pos);
    const line = { data: raw.data, timeMs: index.timeOf(raw.offset) ?? options.nowMs };
    if (options.sinceMs !== undefined && line.timeMs < options.sinceMs) continue;
    yield line;
  }
}

/** The offset from which the last `lines` lines of [floor, end) start. */
export async function tailStart(
  handle: FileHandle | undefined,
  floor: number,
  end: number,
  lines: number,
): Promise<number> {
  if (lines === 0 || !handle) return end;
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
}

/** Applies timestamps and limitBytes, and sends lines to the sink in chunks. */
export class Output {
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

  /** True once nothing more may be sent (limit reached or consumer gone). */
  get finished(): boolean {
    return this.done || this.sink.closed;
  }
}
