import { EventEmitter } from 'node:events';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { SPDY_HEADER_DICTIONARY } from '../../src/kubelet/api/streaming/spdy-dictionary.js';
import {
  ControlType,
  FLAG_FIN,
  SpdyFrameReader,
  encodeControlFrame,
  encodeDataFrame,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  parsePing,
  parseRstStream,
  parseStreamHeaders,
  RstStatus,
} from '../../src/kubelet/api/streaming/spdy-frames.js';
import { HeaderInflater } from '../../src/kubelet/api/streaming/spdy-header-codec.js';

export interface SpdyUpgradeOptions {
  port: number;
  path: string;
  /** The serving certificate to trust. */
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  /** X-Stream-Protocol-Version values, in preference order. */
  protocols: string[];
  method?: string;
}

/** The answer to an upgrade request that was refused. */
export interface RefusedUpgrade {
  upgraded: false;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One client stream: what arrived, and how to send. */
export class TestSpdyStream extends EventEmitter {
  readonly chunks: Buffer[] = [];
  finished = false;
  reset = false;
  replied = false;

  constructor(
    readonly id: number,
    private readonly client: SpdyTestClient,
  ) {
    super();
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  write(data: Buffer | string): void {
    this.client.sendRaw(encodeDataFrame(this.id, Buffer.from(data), false));
  }

  /** FIN: half-close. */
  end(): void {
    this.client.sendRaw(encodeDataFrame(this.id, Buffer.alloc(0), true));
  }

  sendReset(): void {
    this.client.sendRaw(encodeRstStream(this.id, RstStatus.Cancel));
  }

  /** Resolves once the server half-closed (or reset) the stream. */
  done(timeoutMs = 5_000): Promise<void> {
    return this.until(() => this.finished || this.reset, timeoutMs, 'stream end');
  }

  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('change', check);
        reject(
          new Error(`timed out waiting for ${what} on stream ${this.id}; got ${JSON.stringify(this.text)}`),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.off('change', check);
        resolve();
      };
      this.on('change', check);
    });
  }
}

/**
 * A SPDY/3.1 client for tests, speaking as client-go does: odd stream ids,
 * header blocks compressed with zlib against the SPDY dictionary (sync flush
 * per block, like Go's framer), waits for SYN_REPLY.
 */
export class SpdyTestClient extends EventEmitter {
  private readonly reader = new SpdyFrameReader();
  private readonly inflater = new HeaderInflater();
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY_HEADER_DICTIONARY, level: 9 });
  private readonly streams = new Map<number, TestSpdyStream>();
  private nextId = 1;
  private chain: Promise<void> = Promise.resolve();
  readonly closed: Promise<void>;
  readonly pings: number[] = [];
  goAway = false;

  private constructor(
    private readonly socket: tls.TLSSocket,
    readonly protocol: string,
    rest: Buffer,
  ) {
    super();
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', () => undefined);
    if (rest.length > 0) this.onBytes(rest);
  }

  /** Sends the upgrade request; resolves with a client once upgraded, or with the refusal. */
  static connect(options: SpdyUpgradeOptions): Promise<SpdyTestClient | RefusedUpgrade> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: options.port,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        servername: 'localhost',
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        const lines = [
          `${options.method ?? 'POST'} ${options.path} HTTP/1.1`,
          'Host: localhost',
          'Connection: Upgrade',
          'Upgrade: SPDY/3.1',
          ...options.protocols.map((p) => `X-Stream-Protocol-Version: ${p}`),
          ...(options.token ? [`Authorization: Bearer ${options.token}`] : []),
          'Content-Length: 0',
        ];
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      });
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0]?.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const rest = buffered.subarray(end + 4);
        socket.off('data', onData);
        if (status === 101) {
          resolve(new SpdyTestClient(socket, headers['x-stream-protocol-version'] ?? '', rest));
          return;
        }
        const length = Number(headers['content-length'] ?? 0);
        let body = rest;
        const finish = (): void => {
          socket.destroy();
          resolve({ upgraded: false, status, headers, body: body.subarray(0, length).toString('utf8') });
        };
        if (body.length >= length) return finish();
        socket.on('data', (more: Buffer) => {
          body = Buffer.concat([body, more]);
          if (body.length >= length) finish();
        });
        socket.once('end', finish);
      };
      socket.on('data', onData);
    });
  }

  sendRaw(frame: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(frame);
  }

  /** Opens a stream with these headers and waits for its SYN_REPLY. */
  async openStream(headers: Record<string, string>, timeoutMs = 5_000): Promise<TestSpdyStream> {
    const stream = this.openStreamNoWait(headers);
    await stream.until(() => stream.replied || stream.reset, timeoutMs, 'SYN_REPLY');
    if (stream.reset) throw new Error(`stream ${stream.id} was refused`);
    return stream;
  }

  /** Opens a stream; the SYN_STREAM goes out in order with other header blocks. */
  openStreamNoWait(headers: Record<string, string>): TestSpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const stream = new TestSpdyStream(id, this);
    this.streams.set(id, stream);
    const block = encodeHeaderBlock(Object.entries(headers).map(([k, v]) => [k, [v]] as const));
    this.chain = this.chain.then(
      () =>
        new Promise<void>((resolve) => {
          this.deflate.write(block);
          this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            const compressed = (this.deflate.read() as Buffer | null) ?? Buffer.alloc(0);
            const payload = Buffer.alloc(10);
            payload.writeUInt32BE(id, 0);
            this.sendRaw(encodeControlFrame(ControlType.SynStream, 0, Buffer.concat([payload, compressed])));
            resolve();
          });
        }),
    );
    return stream;
  }

  ping(id: number): void {
    this.sendRaw(encodePing(id));
  }

  close(): void {
    this.socket.end();
  }

  /** Stops reading the connection (a slow reader): TCP then holds the server back. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onBytes(chunk: Buffer): void {
    for (const frame of this.reader.push(chunk)) {
      if (frame.kind === 'data') {
        const stream = this.streams.get(frame.streamId);
        if (!stream) continue;
        if (frame.data.length > 0) stream.chunks.push(frame.data);
        if (frame.flags & FLAG_FIN) stream.finished = true;
        stream.emit('change');
        stream.emit('data', frame.data);
        continue;
      }
      if (frame.type === ControlType.SynReply) {
        const { streamId, headerBlock } = parseStreamHeaders(frame.payload);
        this.chain = this.chain.then(async () => {
          await this.inflater.inflateBlock(headerBlock);
          const stream = this.streams.get(streamId);
          if (!stream) return;
          stream.replied = true;
          stream.emit('change');
        });
      } else if (frame.type === ControlType.RstStream) {
        const stream = this.streams.get(parseRstStream(frame.payload).streamId);
        if (stream) {
          stream.reset = true;
          stream.emit('change');
        }
      } else if (frame.type === ControlType.Ping) {
        this.pings.push(parsePing(frame.payload));
        this.emit('ping');
      } else if (frame.type === ControlType.GoAway) {
        this.goAway = true;
      }
    }
  }
}
