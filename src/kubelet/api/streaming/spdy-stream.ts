import { Duplex } from 'node:stream';
import type { SpdyHeaders } from './spdy-frames.js';

/** What a stream needs from its session to send. */
export interface SpdyStreamOwner {
  /** Sends data (split into frames); `done` runs once the socket took it. */
  sendData(streamId: number, data: Buffer, fin: boolean, done: (err?: Error | null) => void): void;
  /** RST_STREAM with CANCEL, and forgets the stream. */
  resetStream(streamId: number): void;
  /** The stream's readable buffer is full (true) or drained (false): reading the socket waits. */
  setStalled(streamId: number, stalled: boolean): void;
}

/**
 * One SPDY stream opened by the client, as a Node Duplex: reading yields the
 * client's data frames (end = its FIN), writing sends data frames, end()
 * sends FIN (a half-close, as spdystream's Close). `reset()` aborts both
 * directions. A stream the client resets emits 'reset' and is destroyed.
 * Back-pressure: a full read buffer pauses the whole connection's socket
 * (as Go's spdystream does), a write completes once the socket took it.
 */
export class SpdyStream extends Duplex {
  private finished = false;

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly owner: SpdyStreamOwner,
  ) {
    super({ allowHalfOpen: true, highWaterMark: 64 * 1024 });
  }

  /** The first value of a header (names are lowercase), or ''. */
  header(name: string): string {
    return this.headers.get(name.toLowerCase())?.[0] ?? '';
  }

  /** Data from the session. */
  deliver(data: Buffer): void {
    if (this.destroyed || this.readableEnded) return;
    if (data.length > 0 && !this.push(data)) this.owner.setStalled(this.id, true);
  }

  /** The client's FIN. */
  remoteFinished(): void {
    if (!this.destroyed && !this.readableEnded) this.push(null);
  }

  /** The client's RST_STREAM, or the connection dropped. */
  remoteReset(): void {
    if (this.destroyed) return;
    this.finished = true;
    this.emit('reset');
    this.destroy();
  }

  /** Aborts both directions: RST_STREAM to the client. */
  reset(): void {
    if (this.destroyed) return;
    this.finished = true;
    this.owner.resetStream(this.id);
    this.destroy();
  }

  override _read(): void {
    this.owner.setStalled(this.id, false);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.finished) return callback();
    this.owner.sendData(this.id, chunk, false, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.finished) return callback();
    this.finished = true;
    this.owner.sendData(this.id, Buffer.alloc(0), true, callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.owner.setStalled(this.id, false);
    callback(err);
  }
}
