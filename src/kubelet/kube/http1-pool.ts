import net from 'node:net';
import tls from 'node:tls';
import { Http1ResponseParser, type Http1Response } from './http1-response-parser.js';

/** Where the pool connects: plain TCP, or TLS with these options (secure context, servername, verification). */
export interface Http1Target {
  host: string;
  port: number;
  tls: tls.ConnectionOptions | undefined;
}

/** One request as bytes: the head (request line and headers, ending in an empty line) and the body. */
export interface Http1Request {
  head: string;
  body: Buffer | undefined;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A request failed without an answer; `code` is the socket error's code (ECONNRESET for a hang-up), if any. */
export class Http1RequestError extends Error {
  override readonly name = 'Http1RequestError';
  constructor(
    message: string,
    readonly code: string | undefined,
    /** Sent on a connection that had served an earlier request, and nothing of the answer came back. */
    readonly staleConnection: boolean,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (res: Http1Response) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  onAbort: (() => void) | undefined;
  signal: AbortSignal | undefined;
}

/** One keep-alive connection; serves one request at a time. */
class Connection {
  readonly parser = new Http1ResponseParser();
  served = 0;
  pending: Pending | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(readonly socket: net.Socket) {}
}

/**
 * HTTP/1.1 requests over a pool of keep-alive connections to one server,
 * without Node's http client: at hundreds of API requests a second, its
 * per-request objects, streams and events cost the kubelet about as much CPU
 * as the TLS connection itself. A request is written in one piece and its
 * answer parsed by Http1ResponseParser. At most `maxSockets` connections;
 * further requests wait, first come first served; the most recently used
 * idle connection goes first and an idle one is closed after `idleMs`.
 * A request on a reused connection that the server had closed meanwhile
 * fails with `staleConnection` set (the caller may retry it once). Idle
 * connections do not keep the process alive. Single event loop.
 */
export class Http1Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly queue: Array<{ start: (c: Connection) => void; fail: (err: Error) => void }> = [];
  private session: Buffer | undefined;
  private closed = false;

  constructor(
    private readonly target: Http1Target,
    private readonly maxSockets: number,
    private readonly idleMs: number,
  ) {}

  request(req: Http1Request): Promise<Http1Response> {
    if (this.closed) return Promise.reject(new Http1RequestError('connection pool closed', undefined, false));
    if (req.signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const start = (conn: Connection): void => this.send(conn, req, resolve, reject);
      const conn = this.idle.pop();
      if (conn) {
        clearTimeout(conn.idleTimer);
        conn.socket.ref();
        start(conn);
      } else if (this.all.size < this.maxSockets) {
        start(this.open());
      } else {
        this.queue.push({ start, fail: reject });
      }
    });
  }

  /** Closes every connection; requests in flight fail. */
  close(): void {
    this.closed = true;
    for (const conn of this.all) conn.socket.destroy();
    for (const waiter of this.queue.splice(0)) {
      waiter.fail(new Http1RequestError('connection pool closed', undefined, false));
    }
  }

  private open(): Connection {
    const { host, port } = this.target;
    const socket = this.target.tls
      ? tls.connect({ ...this.target.tls, host, port, session: this.session })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    const conn = new Connection(socket);
    this.all.add(conn);
    if (socket instanceof tls.TLSSocket) socket.on('session', (s: Buffer) => (this.session = s));
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('end', () => this.onGone(conn, undefined));
    socket.on('close', () => this.onGone(conn, undefined));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // As Node's agent does: a session from a connection that failed is not offered again.
      if (socket instanceof tls.TLSSocket) this.session = undefined;
      this.onGone(conn, err);
    });
    return conn;
  }

  private send(
    conn: Connection,
    req: Http1Request,
    resolve: (res: Http1Response) => void,
    reject: (err: Error) => void,
  ): void {
    conn.parser.reset();
    const timer = setTimeout(
      () => this.fail(conn, new Http1RequestError(`no answer within ${req.timeoutMs} ms`, undefined, false)),
      req.timeoutMs,
    );
    const pending: Pending = { resolve, reject, timer, onAbort: undefined, signal: req.signal };
    if (req.signal) {
      pending.onAbort = () => this.fail(conn, abortError());
      req.signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    conn.pending = pending;
    const head = Buffer.from(req.head, 'latin1');
    conn.socket.write(req.body ? Buffer.concat([head, req.body]) : head);
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (!conn.pending) {
      // Nothing was asked: a server that talks out of turn gets no further requests.
      conn.socket.destroy();
      return;
    }
    let res: Http1Response | undefined;
    try {
      res = conn.parser.push(chunk);
    } catch (err) {
      this.fail(conn, new Http1RequestError((err as Error).message, undefined, false));
      return;
    }
    if (res) this.complete(conn, res);
  }

  private complete(conn: Connection, res: Http1Response): void {
    const pending = this.settle(conn);
    conn.served++;
    if (res.close || this.closed || conn.parser.leftover) this.drop(conn);
    else this.release(conn);
    pending?.resolve(res);
  }

  /** The connection ended or broke: the request on it (if any) fails, unless the end completed its answer. */
  private onGone(conn: Connection, err: NodeJS.ErrnoException | undefined): void {
    if (conn.pending && !err) {
      const res = conn.parser.end();
      if (res) {
        this.complete(conn, res);
        return;
      }
    }
    if (conn.pending) {
      const stale = conn.served > 0 && !conn.parser.started;
      const code = err ? err.code : 'ECONNRESET';
      const message = err
        ? err.message
        : conn.parser.started
          ? 'connection closed while reading the answer'
          : 'socket hang up';
      this.fail(conn, new Http1RequestError(message, code, stale && code === 'ECONNRESET'));
    } else {
      this.drop(conn);
    }
  }

  private fail(conn: Connection, err: Error): void {
    const pending = this.settle(conn);
    this.drop(conn);
    pending?.reject(err);
  }

  private settle(conn: Connection): Pending | undefined {
    const pending = conn.pending;
    conn.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    }
    return pending;
  }

  /** Hands the connection to the next waiting request, or parks it. */
  private release(conn: Connection): void {
    const next = this.queue.shift();
    if (next) {
      next.start(conn);
      return;
    }
    conn.socket.unref();
    conn.idleTimer = setTimeout(() => this.drop(conn), this.idleMs);
    conn.idleTimer.unref();
    this.idle.push(conn);
  }

  /** Closes and forgets the connection; a waiting request gets a new one in its place. */
  private drop(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    clearTimeout(conn.idleTimer);
    conn.socket.destroy();
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    const next = !this.closed ? this.queue.shift() : undefined;
    if (next) next.start(this.open());
  }
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}
