import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { Backoff } from '../../common/backoff.js';
import type { Logger } from '../../common/logger.js';
import { DialRefusedError, dialKubelet, type DialCredentials, type DialRequest } from './kubelet-dialer.js';

/** Serves gRPC over a connection the runner dialled (grpc-js Server.createConnectionInjector). */
export interface ConnectionSink {
  injectConnection(connection: Duplex): void;
}

export interface DialOutOptions {
  request: DialRequest;
  /** Read for every attempt, so rotated files are picked up; a throw is logged and retried. */
  credentials: () => DialCredentials;
  sink: ConnectionSink;
  logger: Logger;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A connection that lasted this long resets the back-off. */
  stableAfterMs?: number;
  /**
   * When a connection that had lasted closes, the first redial waits a
   * uniformly random time within this (default 2 s) instead of the back-off's
   * first step: the kubelet restarting, or stalling, drops every runner at
   * once, and they should not all dial back in the same instant.
   */
  reconnectSpreadMs?: number;
  /** In [0, 1); tests fix it. */
  random?: () => number;
  /** TCP keepalive probes on the dialled socket start after this much silence. */
  tcpKeepAliveMs?: number;
  now?: () => number;
  /** Replaces the real dialler in tests. */
  dial?: typeof dialKubelet;
}

/** idle -> dialling -> connected -> waiting (back-off) -> dialling ...; stopped is final. */
export type DialOutState = 'idle' | 'dialling' | 'connected' | 'waiting' | 'stopped';

/**
 * Keeps one connection to the kubelet: dials, hands the socket to the gRPC
 * server, and when it closes (or a dial fails or is refused) dials again
 * after a capped exponential back-off with jitter; the first redial after
 * a connection that had lasted is spread over `reconnectSpreadMs` instead
 * (full jitter), so a fleet dropped at once does not return at once. The
 * kubelet resumes its watch from its last revision on its own, so nothing
 * is replayed here.
 */
export class DialOut {
  private current: DialOutState = 'idle';
  private socket: TLSSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly listeners = new Set<(state: DialOutState) => void>();

  constructor(private readonly options: DialOutOptions) {
    this.backoff = new Backoff(
      options.initialBackoffMs ?? 500,
      options.maxBackoffMs ?? 30_000,
      options.random ?? Math.random,
    );
    this.now = options.now ?? Date.now;
  }

  get state(): DialOutState {
    return this.current;
  }

  /** Called on every state change (tests and the startup message wait on it). */
  onState(listener: (state: DialOutState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.current !== 'idle') return;
    void this.attempt();
  }

  /** No further attempts; the connection itself is closed by the gRPC server's shutdown. */
  stop(): void {
    clearTimeout(this.timer);
    this.setState('stopped');
  }

  /** Closes the current connection at once (the next attempt follows the back-off). */
  dropConnection(): void {
    this.socket?.destroy();
  }

  /** Read through a method: stop() may run while an attempt awaits. */
  private isStopped(): boolean {
    return this.current === 'stopped';
  }

  private setState(next: DialOutState): void {
    if (this.current === 'stopped' || this.current === next) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  private async attempt(): Promise<void> {
    if (this.current === 'stopped') return;
    this.setState('dialling');
    const { request, logger } = this.options;
    const dial = this.options.dial ?? dialKubelet;
    try {
      const { socket, grantedNode } = await dial(request, this.options.credentials());
      if (this.isStopped()) {
        socket.destroy();
        return;
      }
      this.serve(socket, grantedNode);
    } catch (err) {
      const delayMs = this.backoff.next();
      if (err instanceof DialRefusedError) {
        logger.warn(
          { kubelet: request.target.url, node: request.nodeName, status: err.status, delayMs },
          `The kubelet refused this runner: ${err.reason}`,
        );
      } else {
        logger.warn(
          { kubelet: request.target.url, err: (err as Error).message, delayMs },
          'Cannot reach the kubelet; retrying',
        );
      }
      this.retryAfter(delayMs);
    }
  }

  private serve(socket: TLSSocket, grantedNode: string): void {
    const { request, logger } = this.options;
    const since = this.now();
    this.socket = socket;
    socket.setKeepAlive(true, this.options.tcpKeepAliveMs ?? 30_000);
    socket.setNoDelay(true);
    socket.once('close', () => {
      this.socket = undefined;
      const livedMs = this.now() - since;
      const stable = livedMs >= (this.options.stableAfterMs ?? 10_000);
      if (stable) this.backoff.reset();
      if (this.current === 'stopped') return;
      const random = this.options.random ?? Math.random;
      // Full jitter for the first redial after a lost connection; failures after it back off as usual.
      const delayMs = stable
        ? Math.round(random() * (this.options.reconnectSpreadMs ?? 2_000))
        : this.backoff.next();
      logger.warn({ kubelet: request.target.url, livedMs, delayMs }, 'Connection to the kubelet closed');
      this.retryAfter(delayMs);
    });
    // Errors end in 'close'; the listener keeps them from being thrown.
    socket.on('error', (err) => logger.debug({ err }, 'Kubelet connection error'));
    // The upgrade made this an HTTP/2 connection; Node's HTTP/2 server would drop a TLS socket
    // whose ALPN did not say so (it treats it as an HTTP/1.1 client).
    socket.alpnProtocol = 'h2';
    this.options.sink.injectConnection(socket);
    this.setState('connected');
    logger.info({ kubelet: request.target.url, node: grantedNode }, 'Connected to the kubelet');
  }

  private retryAfter(delayMs: number): void {
    if (this.current === 'stopped') return;
    this.setState('waiting');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), delayMs);
  }
}
