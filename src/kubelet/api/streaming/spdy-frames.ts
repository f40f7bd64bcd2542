/*
 * SPDY/3.1 frames as Go's SPDY framer (moby/spdystream, used by client-go and
 * kube-apiserver) writes and reads them. Pure encoding and decoding; header
 * block compression lives in spdy-header-codec.ts.
 *
 * Control frame: 1 bit control (1), 15 bits version (3), 16 bits type,
 * 8 bits flags, 24 bits length, payload. Data frame: 1 bit control (0),
 * 31 bits stream id, 8 bits flags, 24 bits length, payload.
 */

export const SPDY_VERSION = 3;

export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** FIN on data frames and on SYN_STREAM, SYN_REPLY and HEADERS. */
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
} as const;

export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/** The payload limit of a frame (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;
/** Control frames larger than this are refused: header blocks are small. */
export const MAX_CONTROL_PAYLOAD = 1 << 20;

export type SpdyFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; version: number; flags: number; payload: Buffer };

/** The peer broke the protocol; the session answers with GOAWAY and closes. */
export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

/**
 * Splits a byte stream into frames. `push` returns the frames completed by a
 * chunk, in order, and keeps any partial frame for the next one. Throws
 * SpdyProtocolError for an oversized control frame.
 */
export class SpdyFrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Buffer): SpdyFrame[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < 8) return [];
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const frames: SpdyFrame[] = [];
    let offset = 0;
    while (buffer.length - offset >= 8) {
      const first = buffer.readUInt32BE(offset);
      const flags = buffer[offset + 4]!;
      const length = buffer.readUIntBE(offset + 5, 3);
      const control = (first & 0x80000000) !== 0;
      if (control && length > MAX_CONTROL_PAYLOAD) {
        throw new SpdyProtocolError(`control frame of ${length} bytes is too large`);
      }
      if (buffer.length - offset < 8 + length) break;
      const payload = buffer.subarray(offset + 8, offset + 8 + length);
      if (control) {
        frames.push({
          kind: 'control',
          version: (first >>> 16) & 0x7fff,
          type: first & 0xffff,
          flags,
          payload,
        });
      } else {
        frames.push({ kind: 'data', streamId: first & 0x7fffffff, flags, data: payload });
      }
      offset += 8 + length;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length > 0 ? [buffer] : [];
    this.pendingBytes = buffer.length;
    return frames;
  }
}

function need(payload: Buffer, bytes: number, what: string): void {
  if (payload.length < bytes)
    throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

/** SYN_STREAM: the stream id, its priority and the still compressed header block. */
export function parseSynStream(payload: Buffer): {
  streamId: number;
  associatedStreamId: number;
  priority: number;
  headerBlock: Buffer;
} {
  need(payload, 10, 'SYN_STREAM');
  return {
    streamId: payload.readUInt32BE(0) & 0x7fffffff,
    associatedStreamId: payload.readUInt32BE(4) & 0x7fffffff,
    priority: payload[8]! >>> 5,
    headerBlock: payload.subarray(10),
  };
}

/** HEADERS and SYN_REPLY: the stream id and the compressed header block. */
export function parseStreamHeaders(payload: Buffer): { streamId: number; headerBlock: Buffer } {
  need(payload, 4, 'HEADERS');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, headerBlock: payload.subarray(4) };
}

export function parseRstStream(payload: Buffer): { streamId: number; status: number } {
  need(payload, 8, 'RST_STREAM');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
}

export function parsePing(payload: Buffer): number {
  need(payload, 4, 'PING');
  return payload.readUInt32BE(0);
}

export function parseGoAway(payload: Buffer): { lastGoodStreamId: number; status: number } {
  need(payload, 4, 'GOAWAY');
  return {
    lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff,
    status: payload.length >= 8 ? payload.readUInt32BE(4) : GoAwayStatus.Ok,
  };
}

/** Header names (lowercase, as SPDY requires) to their values. */
export type SpdyHeaders = ReadonlyMap<string, readonly string[]>;

/**
 * An uncompressed header block: a 32-bit count, then per pair a 32-bit name
 * length, the name, a 32-bit value length and the value, several values of
 * one name separated by NUL. Throws SpdyProtocolError when malformed.
 */
export function decodeHeaderBlock(block: Buffer): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let offset = 0;
  const u32 = (): number => {
    if (block.length - offset < 4) throw new SpdyProtocolError('truncated header block');
    const value = block.readUInt32BE(offset);
    offset += 4;
    return value;
  };
  const bytes = (length: number): string => {
    if (block.length - offset < length) throw new SpdyProtocolError('truncated header block');
    const text = block.toString('utf8', offset, offset + length);
    offset += length;
    return text;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    const value = bytes(u32());
    if (name.length === 0) throw new SpdyProtocolError('empty header name');
    if (name !== name.toLowerCase()) throw new SpdyProtocolError(`header name ${name} is not lowercase`);
    if (headers.has(name)) throw new SpdyProtocolError(`duplicate header ${name}`);
    headers.set(name, value.split('\0'));
  }
  return headers;
}

/** The inverse of decodeHeaderBlock; names are lowercased. */
export function encodeHeaderBlock(headers: ReadonlyArray<readonly [string, readonly string[]]>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(headers.length));
  for (const [name, values] of headers) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

function header(first: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`frame payload of ${length} bytes is too large`);
  const b = Buffer.alloc(8);
  b.writeUInt32BE(first >>> 0);
  b[4] = flags;
  b.writeUIntBE(length, 5, 3);
  return b;
}

export function encodeControlFrame(type: number, flags: number, payload: Buffer): Buffer {
  return Buffer.concat([header((0x8000 | SPDY_VERSION) * 0x10000 + type, flags, payload.length), payload]);
}

export function encodeDataFrame(streamId: number, data: Buffer, fin: boolean): Buffer {
  return Buffer.concat([header(streamId & 0x7fffffff, fin ? FLAG_FIN : 0, data.length), data]);
}

function ids(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** SYN_REPLY carrying an already compressed header block. */
export function encodeSynReply(streamId: number, compressedHeaders: Buffer, fin: boolean): Buffer {
  return encodeControlFrame(
    ControlType.SynReply,
    fin ? FLAG_FIN : 0,
    Buffer.concat([ids(streamId), compressedHeaders]),
  );
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return encodeControlFrame(ControlType.RstStream, 0, ids(streamId, status));
}

export function encodePing(id: number): Buffer {
  return encodeControlFrame(ControlType.Ping, 0, ids(id));
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  return encodeControlFrame(ControlType.GoAway, 0, ids(lastGoodStreamId, status));
}
