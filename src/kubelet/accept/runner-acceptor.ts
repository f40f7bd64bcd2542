import net from 'node:net';
import tls from 'node:tls';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DIAL_IN_PROTOCOL,
  MAX_HANDSHAKE_HEAD_BYTES,
  NODE_NAME_HEADER,
} from '../../common/dial-in.js';
import {
  peerCertificateView,
  type ClaimAnswer,
  type DialInRequest,
  type LeaveAnswer,
} from './dial-in-request.js';
import { DropCounter } from './drop-counter.js';
import { authenticateRequest } from './authenticate-request.js';
import { HandshakeSlots } from './handshake-slots.js';
import { remoteKey, type PendingConnection } from './pending-connection.js';
import type { RunnerAcceptorOptions } from './runner-acceptor-options.js';
import { PendingConnections } from './pending-connections.js';
import { formatResponse, parseRequestHead, type RequestHead } from './request-head.js';

export type { RunnerAcceptorOptions } from './runner-acceptor-options.js';

type State = 'new' | 'listening' | 'stopped';

/**
 * Accepts runners that dial in (`--accept-runners`): TLS, then the upgrade
 * request of src/common/dial-in.ts, authenticated and granted before any
 * gRPC state exists. TLS handshakes run a bounded number at a time
 * (HandshakeSlots); a connection whose hello has arrived waits for a slot,
 * and its handshake deadline starts with the handshake, so a burst of
 * runners is served in turn instead of all timing out together. A
 * connection that sends no hello, or does not complete its handshake and
 * request, within the deadline is closed; so is one that sends a malformed
 * or oversized head, a wrong credential or a name not granted, each with
 * one log line saying why. Nothing of a refused connection is kept.
 */
export class RunnerAcceptor {
  private state: State = 'new';
  /** Accepts TCP connections; each gets TLS from `tlsServer` once it has a handshake slot. */
  private readonly server: net.Server;
  /** Never listens: connections are handed to it (`emit('connection')`) when their handshake starts. */
  private readonly tlsServer: tls.Server;
  private readonly slots: HandshakeSlots<PendingConnection>;
  private readonly timeoutMs: number;
  private readonly pending: PendingConnections;
  private readonly now: () => number;
  private readonly loadDrops: DropCounter;

  constructor(private readonly options: RunnerAcceptorOptions) {
    this.now = options.now ?? Date.now;
    this.loadDrops = new DropCounter(this.now);
    const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.timeoutMs = timeoutMs;
    this.slots = new HandshakeSlots(options.maxConcurrentHandshakes ?? 32, (p) => this.startTls(p));
    this.pending = new PendingConnections(this.slots, options.logger);
    this.server = net.createServer((raw) => this.onConnection(raw));
    this.tlsServer = tls.createServer({
      cert: options.certPem,
      key: options.keyPem,
      minVersion: 'TLSv1.2',
      handshakeTimeout: timeoutMs,
      // Verified per connection, so that the refusal can say what was wrong with the certificate.
      ...(options.clientCaPem
        ? { ca: options.clientCaPem, requestCert: true, rejectUnauthorized: false }
        : {}),
    });
    this.tlsServer.on('secureConnection', (socket: tls.TLSSocket) => this.onSecure(socket));
    this.tlsServer.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      const p = this.pending.get(remoteKey(socket));
      if (p) this.pending.drop(p, `TLS: ${err.message}`);
      else socket.destroy();
    });
  }

  /** Connections still authenticating. */
  pendingHandshakes(): number {
    return this.pending.size;
  }

  async start(): Promise<{ port: number }> {
    if (this.state !== 'new') throw new Error(`cannot start the runner acceptor in state ${this.state}`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (err) => this.options.logger.error({ err }, 'Runner acceptor error'));
    this.state = 'listening';
    const { port } = this.server.address() as net.AddressInfo;
    this.options.logger.info({ address: this.options.host, port }, 'Accepting runners');
    return { port };
  }

  /** Stops accepting and drops connections still authenticating; accepted ones belong to their owners. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasListening = this.state === 'listening';
    this.state = 'stopped';
    this.slots.clear();
    for (const p of this.pending.all()) this.pending.forget(p, true);
    if (wasListening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(raw: net.Socket): void {
    const max = this.options.maxPendingHandshakes ?? 1024;
    if (this.state !== 'listening' || this.pending.size >= max) {
      raw.destroy();
      this.logLoadDrop(max);
      return;
    }
    const remote = remoteKey(raw);
    raw.setNoDelay(true);
    raw.setKeepAlive(true, 30_000);
    const timeoutMs = this.timeoutMs;
    const p: PendingConnection = {
      raw,
      phase: 'hello',
      socket: undefined,
      remote,
      received: Buffer.alloc(0),
      timer: setTimeout(
        () => this.pending.drop(p, `handshake deadline passed: no TLS hello within ${timeoutMs} ms`),
        timeoutMs,
      ),
    };
    this.pending.add(p);
    raw.on('error', () => {
      if (this.pending.has(p)) this.pending.forget(p, true);
    });
    raw.once('close', () => this.pending.forget(p, false));
    // Left unread in the socket (TLS reads it from there): the hello says a runner is there, so it may queue.
    raw.once('readable', () => this.queue(p));
  }

  private queue(p: PendingConnection): void {
    if (!this.pending.has(p) || p.phase !== 'hello') return;
    clearTimeout(p.timer);
    p.phase = 'queued';
    const waitMs = this.options.maxQueueWaitMs ?? 60_000;
    p.timer = setTimeout(() => {
      this.slots.remove(p);
      this.pending.drop(p, `no handshake slot free within ${waitMs} ms`);
    }, waitMs);
    this.slots.enqueue(p);
  }

  /** A slot is free: TLS starts, and with it the handshake deadline. */
  private startTls(p: PendingConnection): void {
    if (!this.pending.has(p) || p.raw.destroyed) {
      this.slots.release();
      return;
    }
    clearTimeout(p.timer);
    p.phase = 'tls';
    const timeoutMs = this.timeoutMs;
    p.timer = setTimeout(
      () => this.pending.drop(p, `handshake deadline passed: no complete request within ${timeoutMs} ms`),
      timeoutMs,
    );
    this.tlsServer.emit('connection', p.raw);
  }

  private onSecure(socket: tls.TLSSocket): void {
    const p = this.pending.get(remoteKey(socket));
    if (!p) {
      socket.destroy();
      return;
    }
    this.pending.endTls(p);
    p.socket = socket;
    socket.on('error', (err) => this.pending.drop(p, `connection error: ${err.message}`));
    socket.on('data', (chunk: Buffer) => this.onData(p, chunk));
  }

  private onData(p: PendingConnection, chunk: Buffer): void {
    if (!this.pending.has(p) || !p.socket) return;
    p.received = p.received.length === 0 ? chunk : Buffer.concat([p.received, chunk]);
    const parsed = parseRequestHead(p.received, MAX_HANDSHAKE_HEAD_BYTES);
    if (parsed.kind === 'incomplete') return;
    const socket = p.socket;
    socket.removeAllListeners('data');
    socket.pause();
    if (parsed.kind === 'malformed') {
      this.pending.refuse(p, 400, `malformed request: ${parsed.problem}`, undefined);
      return;
    }
    void this.handle(p, socket, parsed.head, parsed.rest);
  }

  private async handle(
    p: PendingConnection,
    socket: tls.TLSSocket,
    head: RequestHead,
    rest: Buffer,
  ): Promise<void> {
    const verdict = authenticateRequest(head, () => peerCertificateView(socket), p.remote, this.options);
    if (verdict.kind === 'refuse')
      return this.pending.refuse(p, verdict.status, verdict.reason, verdict.node);
    // Authenticated: from here the time taken is the owner's (e.g. checking a connected runner).
    clearTimeout(p.timer);
    const { request, leaving, requested } = verdict;
    const version = request.runnerVersion;
    if (leaving) return this.answerLeave(p, request);
    let answer: ClaimAnswer;
    try {
      answer = await this.options.claim(request);
    } catch (err) {
      this.options.logger.error({ err, node: request.nodeName }, 'Failed to place a runner');
      answer = { refuse: 503, reason: 'the kubelet failed to place the runner; retry' };
    }
    if (!this.pending.has(p) || socket.destroyed) return;
    if ('refuse' in answer) return this.pending.refuse(p, answer.refuse, answer.reason, requested);
    this.pending.release(p);
    if (rest.length > 0) socket.unshift(rest);
    p.received = Buffer.alloc(0);
    // Left paused: the runner's first HTTP/2 frames wait in the socket until the owner reads them.
    // The owner gets the socket once the 101 is written: an HTTP/2 session that takes over a TLS
    // socket with a write still under way gets that write's completion and aborts the process.
    socket.write(
      formatResponse(101, {
        Connection: 'Upgrade',
        Upgrade: DIAL_IN_PROTOCOL,
        [NODE_NAME_HEADER]: request.nodeName,
      }),
      (err) => {
        if (err || socket.destroyed) {
          this.options.logger.info(
            { node: request.nodeName, remote: p.remote, reason: err?.message ?? 'closed' },
            'Runner connection lost before it was placed',
          );
          socket.destroy();
          return;
        }
        socket.removeAllListeners('error');
        this.options.logger.info(
          {
            node: request.nodeName,
            remote: p.remote,
            credential: request.credential,
            runnerVersion: version,
          },
          'Runner connected',
        );
        answer.accept({ ...request, socket, acceptedAtMs: this.now() });
      },
    );
  }

  private async answerLeave(p: PendingConnection, request: DialInRequest): Promise<void> {
    const leave = this.options.leave;
    let answer: LeaveAnswer;
    try {
      answer = leave
        ? await leave(request)
        : {
            status: 404,
            reason: 'this kubelet does not delete nodes for runners (it is not started with --fleet)',
          };
    } catch (err) {
      this.options.logger.error({ err, node: request.nodeName }, 'Failed to delete a node for its runner');
      answer = { status: 503, reason: 'the kubelet failed to delete the node; retry' };
    }
    if (answer.status !== 200) return this.pending.refuse(p, answer.status, answer.reason, request.nodeName);
    this.options.logger.info({ node: request.nodeName, remote: p.remote }, 'Runner left; node deleted');
    this.pending.forget(p, false);
    p.socket?.end(formatResponse(200, {}, `${answer.reason}\n`));
    setTimeout(() => p.raw.destroy(), 1000).unref();
  }

  private logLoadDrop(max: number): void {
    const dropped = this.loadDrops.drop();
    if (dropped === undefined) return;
    this.options.logger.warn(
      { dropped, maxPendingHandshakes: max },
      this.state === 'listening'
        ? 'Refused runner connections: too many still authenticating'
        : 'Refused runner connections: not accepting',
    );
  }
}
