/** One complete HTTP/1.1 answer: status, the headers the client acts on, the body. */
export interface Http1Response {
  statusCode: number;
  body: Buffer;
  /** The server asked to close the connection after this answer (or spoke HTTP/1.0 without keep-alive). */
  close: boolean;
}

/** A byte stream that is not an HTTP/1.1 answer. */
export class Http1ParseError extends Error {
  override readonly name = 'Http1ParseError';
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Larger heads are refused, as Node's own parser refuses them (16 KiB). */
const MAX_HEAD_BYTES = 16 * 1024;

type BodyMode =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; chunkRemaining: number; inTrailers: boolean }
  | { kind: 'untilClose' };

interface Head {
  statusCode: number;
  close: boolean;
  mode: BodyMode;
}

/**
 * Parses the answers of one keep-alive connection, one request at a time
 * (no pipelining): status line, headers, then a body delimited by
 * Content-Length, chunked transfer coding or the end of the connection.
 * 1xx interim answers are skipped. Pure: bytes in, answers out.
 */
export class Http1ResponseParser {
  private buffered: Buffer = Buffer.alloc(0);
  private head: Head | undefined;
  private parts: Buffer[] = [];
  /** Bytes of the answer seen so far (head included): a connection that closes after some is not stale. */
  started = false;

  /** Bytes came after the last complete answer: a server that talks out of turn (the connection must go). */
  get leftover(): boolean {
    return this.buffered.length > 0;
  }

  /** Starts a new answer for a new request. */
  reset(): void {
    this.buffered = Buffer.alloc(0);
    this.head = undefined;
    this.parts = [];
    this.started = false;
  }

  /** Feeds bytes; returns the answer once complete. Throws Http1ParseError on a malformed one. */
  push(chunk: Buffer): Http1Response | undefined {
    if (chunk.length > 0) this.started = true;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (!this.head) {
        const end = this.buffered.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buffered.length > MAX_HEAD_BYTES) throw new Http1ParseError('answer head too large');
          return undefined;
        }
        const head = parseHead(this.buffered.toString('latin1', 0, end));
        this.buffered = this.buffered.subarray(end + HEAD_END.length);
        if (head === 'interim') continue;
        this.head = head;
      }
      return this.body(this.head);
    }
  }

  /** The connection ended: completes an answer delimited by the close, else undefined. */
  end(): Http1Response | undefined {
    if (this.head?.mode.kind !== 'untilClose') return undefined;
    this.parts.push(this.buffered);
    this.buffered = Buffer.alloc(0);
    return this.finish(this.head);
  }

  private body(head: Head): Http1Response | undefined {
    const mode = head.mode;
    if (mode.kind === 'untilClose') {
      this.parts.push(this.buffered);
      this.buffered = Buffer.alloc(0);
      return undefined;
    }
    if (mode.kind === 'length') {
      const take = Math.min(mode.remaining, this.buffered.length);
      if (take > 0) this.parts.push(this.buffered.subarray(0, take));
      this.buffered = this.buffered.subarray(take);
      mode.remaining -= take;
      return mode.remaining === 0 ? this.finish(head) : undefined;
    }
    return this.chunked(head, mode);
  }

  private chunked(head: Head, mode: BodyMode & { kind: 'chunked' }): Http1Response | undefined {
    for (;;) {
      if (mode.chunkRemaining > 0) {
        // Data, then the CRLF that closes the chunk (counted in chunkRemaining).
        const data = mode.chunkRemaining - CRLF.length;
        const take = Math.min(this.buffered.length, mode.chunkRemaining);
        if (take > 0 && data > 0) this.parts.push(this.buffered.subarray(0, Math.min(take, data)));
        this.buffered = this.buffered.subarray(take);
        mode.chunkRemaining -= take;
        if (mode.chunkRemaining > 0) return undefined;
        continue;
      }
      const lineEnd = this.buffered.indexOf(CRLF);
      if (lineEnd < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) throw new Http1ParseError('chunk line too long');
        return undefined;
      }
      const line = this.buffered.toString('latin1', 0, lineEnd);
      this.buffered = this.buffered.subarray(lineEnd + CRLF.length);
      if (mode.inTrailers) {
        if (line === '') return this.finish(head);
        continue;
      }
      const sizeText = line.split(';', 1)[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText))
        throw new Http1ParseError(`bad chunk size line: ${line.slice(0, 40)}`);
      const size = parseInt(sizeText, 16);
      if (size === 0) mode.inTrailers = true;
      else mode.chunkRemaining = size + CRLF.length;
    }
  }

  private finish(head: Head): Http1Response {
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.head = undefined;
    return { statusCode: head.statusCode, body, close: head.close };
  }
}

/** Status line and headers; 'interim' for a 1xx answer, which a final one follows. */
function parseHead(text: string): Head | 'interim' {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) throw new Http1ParseError(`not an HTTP/1.x status line: ${(lines[0] ?? '').slice(0, 40)}`);
  const statusCode = Number(status[2]);
  if (statusCode >= 100 && statusCode < 200) return 'interim';
  let contentLength: number | undefined;
  let chunked = false;
  let connection = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Http1ParseError(`bad header line: ${line.slice(0, 40)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value) || (contentLength !== undefined && contentLength !== Number(value))) {
        throw new Http1ParseError(`bad Content-Length: ${value.slice(0, 40)}`);
      }
      contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      chunked = value.toLowerCase().split(',').pop()?.trim() === 'chunked';
    } else if (name === 'connection') {
      connection = value.toLowerCase();
    }
  }
  const http10 = status[1] === '0';
  const close = connection.includes('close') || (http10 && !connection.includes('keep-alive'));
  let mode: BodyMode;
  if (statusCode === 204 || statusCode === 304) mode = { kind: 'length', remaining: 0 };
  else if (chunked) mode = { kind: 'chunked', chunkRemaining: 0, inTrailers: false };
  else if (contentLength !== undefined) mode = { kind: 'length', remaining: contentLength };
  else mode = { kind: 'untilClose' };
  return { statusCode, close: close || mode.kind === 'untilClose', mode };
}
