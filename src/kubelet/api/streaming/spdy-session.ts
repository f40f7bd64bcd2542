import type { Duplex } from 'node:stream';
import type { Logger } from '../../../common/logger.js';
import { HeaderDeflater, HeaderInflater } from './spdy-header-codec.js';
import {
  ControlType,
  FLAG_FIN,
  GoAwayStatus,
  RstStatus,
  SPDY_VERSION,
  SpdyFrameReader,
  SpdyProtocolError,
  decodeHeaderBlock,
  encodeDataFrame,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  parseGoAway,
  parsePing,
  parseRstStream,
  parseStreamHeaders,
  parseSynStream,
  type SpdyFrame,
} from './spdy-frames.js';
import { SpdyStream, type SpdyStreamOwner } from './spdy-stream.js';

/** Data frames the kubelet sends are at most this large, so streams interleave fairly. */
const MAX_DATA_FRAME = 64 * 1024;
/** Frames read ahead of a header block still being inflated before the socket is paused. */
const MAX_QUEUED_FRAMES = 256;

export interface SpdySessionOptions {
  logger: Logger;
  /**
   * A client opened a stream. Return true to accept it (SYN_REPLY is sent at
   * once, before any data the handler writes), false to refuse it
   * (RST_STREAM). Must not throw.
   */
  onStream(stream: SpdyStream): boolean;
}

/**
 * The server side of a SPDY/3.1 connection as kube-apiserver and client-go
 * speak it (moby/spdystream): only the client opens streams (odd ids), every
 * stream gets an empty SYN_REPLY, pings are echoed, there is no flow control
 * (spdystream neither sends nor honours WINDOW_UPDATE) so back-pressure is
 * TCP's. Frames are handled strictly in order: a header block is inflated
 * before the next frame is looked at. `closed` resolves once the socket is
 * gone; close() ends it (after what was written is flushed).
 */
export class SpdySession implements SpdyStreamOwner {
  private readonly reader = new SpdyFrameReader();
  private readonly inflater = new HeaderInflater();
  private readonly deflater = new HeaderDeflater();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly stalled = new Set<number>();
  private readonly queue: SpdyFrame[] = [];
  private busy = false;
  private lastStreamId = 0;
  private goneAway = false;
  private ended = false;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Duplex,
    private readonly options: SpdySessionOptions,
  ) {
    socket.setMaxListeners(0);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', (err) => this.options.logger.debug({ err }, 'SPDY connection error'));
    socket.on('end', () => this.terminate());
    socket.on('close', () => this.terminate());
  }

  /** Feeds bytes already read with the upgrade request (the `head` of node's upgrade event). */
  receive(head: Buffer): void {
    if (head.length > 0) this.onBytes(head);
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Ends the connection once written data is flushed; streams still open are reset. Idempotent. */
  close(): void {
    if (this.ended) return;
    for (const stream of [...this.streams.values()]) stream.remoteReset();
    this.ended = true;
    this.socket.end();
    // A peer that never closes its side must not hold the socket.
    setTimeout(() => this.socket.destroy(), 5_000).unref();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
    this.terminate();
  }

  sendData(streamId: number, data: Buffer, fin: boolean, done: (err?: Error | null) => void): void {
    if (this.ended || this.socket.destroyed) return done();
    let ok = true;
    if (data.length === 0) ok = this.socket.write(encodeDataFrame(streamId, data, fin));
    for (let offset = 0; offset < data.length; offset += MAX_DATA_FRAME) {
      const piece = data.subarray(offset, offset + MAX_DATA_FRAME);
      const last = offset + MAX_DATA_FRAME >= data.length;
      ok = this.socket.write(encodeDataFrame(streamId, piece, fin && last)) && ok;
    }
    if (ok) done();
    else this.socket.once('drain', () => done());
  }

  resetStream(streamId: number): void {
    this.forget(streamId);
    this.write(encodeRstStream(streamId, RstStatus.Cancel));
  }

  setStalled(streamId: number, stalled: boolean): void {
    if (stalled) this.stalled.add(streamId);
    else this.stalled.delete(streamId);
    this.updateFlow();
  }

  private write(frame: Buffer): void {
    if (!this.ended && !this.socket.destroyed) this.socket.write(frame);
  }

  private onBytes(chunk: Buffer): void {
    if (this.ended) return;
    try {
      this.queue.push(...this.reader.push(chunk));
    } catch (err) {
      return this.protocolError(err);
    }
    this.drain();
  }

  private drain(): void {
    while (!this.busy && this.queue.length > 0 && !this.ended) {
      const frame = this.queue.shift()!;
      let pending: Promise<void> | void;
      try {
        pending = this.handle(frame);
      } catch (err) {
        return this.protocolError(err);
      }
      if (pending) {
        this.busy = true;
        pending.then(
          () => {
            this.busy = false;
            this.drain();
          },
          (err: unknown) => this.protocolError(err),
        );
      }
    }
    this.updateFlow();
  }

  /** Reading waits while a stream's buffer is full or frames pile up behind a header block. */
  private updateFlow(): void {
    if (this.socket.destroyed) return;
    if (this.stalled.size > 0 || this.queue.length > MAX_QUEUED_FRAMES) this.socket.pause();
    else this.socket.resume();
  }

  private handle(frame: SpdyFrame): Promise<void> | void {
    this.options.logger.trace(
      frame.kind === 'data'
        ? { streamId: frame.streamId, flags: frame.flags, bytes: frame.data.length }
        : { type: frame.type, flags: frame.flags, bytes: frame.payload.length },
      'SPDY frame received',
    );
    if (frame.kind === 'data') {
      const stream = this.streams.get(frame.streamId);
      if (!stream) return;
      stream.deliver(frame.data);
      if (frame.flags & FLAG_FIN) stream.remoteFinished();
      return;
    }
    if (frame.version !== SPDY_VERSION)
      throw new SpdyProtocolError(`unsupported SPDY version ${frame.version}`);
    switch (frame.type) {
      case ControlType.SynStream:
        return this.onSynStream(frame.flags, frame.payload);
      case ControlType.Headers:
      case ControlType.SynReply:
        // The block is inflated only to keep the shared zlib stream in step; the kubelet ignores it.
        return this.inflater
          .inflateBlock(parseStreamHeaders(frame.payload).headerBlock)
          .then(() => undefined);
      case ControlType.RstStream: {
        const { streamId } = parseRstStream(frame.payload);
        const stream = this.streams.get(streamId);
        this.forget(streamId);
        stream?.remoteReset();
        return;
      }
      case ControlType.Ping: {
        const id = parsePing(frame.payload);
        // Odd ids are the client's: echo them. Even ones would answer our pings; we send none.
        if (id % 2 === 1) this.write(encodePing(id));
        return;
      }
      case ControlType.GoAway:
        parseGoAway(frame.payload);
        this.goneAway = true;
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: spdystream has no flow control to honour.
        return;
    }
  }

  private async onSynStream(flags: number, payload: Buffer): Promise<void> {
    const syn = parseSynStream(payload);
    const block = await this.inflater.inflateBlock(syn.headerBlock);
    if (this.ended) return;
    if (syn.streamId === 0 || syn.streamId % 2 === 0 || syn.streamId <= this.lastStreamId || this.goneAway) {
      this.write(encodeRstStream(syn.streamId, RstStatus.ProtocolError));
      return;
    }
    this.lastStreamId = syn.streamId;
    const headers = decodeHeaderBlock(block);
    const stream = new SpdyStream(syn.streamId, headers, this);
    this.streams.set(stream.id, stream);
    stream.once('close', () => this.forget(stream.id));
    if (!this.options.onStream(stream)) {
      stream.reset();
      return;
    }
    this.write(encodeSynReply(stream.id, this.deflater.deflateBlock(encodeHeaderBlock([])), false));
    if (flags & FLAG_FIN) stream.remoteFinished();
  }

  private forget(streamId: number): void {
    this.streams.delete(streamId);
    if (this.stalled.delete(streamId)) this.updateFlow();
  }

  private protocolError(err: unknown): void {
    this.options.logger.debug({ err }, 'SPDY protocol error; closing the connection');
    this.write(encodeGoAway(this.lastStreamId, GoAwayStatus.ProtocolError));
    this.close();
  }

  /** The socket ended or closed: every stream is gone. */
  private terminate(): void {
    for (const stream of [...this.streams.values()]) stream.remoteReset();
    this.streams.clear();
    this.stalled.clear();
    this.inflater.close();
    if (!this.ended) {
      this.ended = true;
      if (!this.socket.destroyed) this.socket.end();
    }
  }
}
