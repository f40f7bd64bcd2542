import { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';
import { encodeChannelMessage, type WsCodec } from './ws-channels.js';

/** Sends data queued on one channel; a write completes once the socket took it (back-pressure). */
export function channelWriter(ws: WebSocket, codec: WsCodec, channel: number): Writable {
  return new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState !== ws.OPEN) return callback();
      // A failed send means the connection is gone; the session ends through 'close'.
      ws.send(encodeChannelMessage(codec, channel, chunk), { binary: codec === 'binary' }, () => callback());
    },
  });
}

/**
 * What arrives on one channel, as a Readable; a full buffer pauses the
 * whole connection (reading resumes when the consumer reads again).
 */
export function channelReader(ws: WebSocket): Readable & { deliver(data: Buffer): void } {
  const readable = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (ws.readyState === ws.OPEN) ws.resume();
    },
  }) as Readable & { deliver(data: Buffer): void };
  readable.deliver = (data: Buffer) => {
    if (readable.readableEnded || readable.destroyed || data.length === 0) return;
    if (!readable.push(data)) ws.pause();
  };
  return readable;
}
