import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { RunnerConnection } from './dial-in-request.js';

/**
 * Hands a dial-in runner connection to an ordinary grpc-js client, which
 * only dials. The node's client dials a unix socket of the bridge (in a
 * 0700 directory of the kubelet's) with the bridge's `credentials()`; their
 * connector drops that placeholder connection and gives grpc-js the
 * runner's accepted TLS socket instead, on which grpc-js runs HTTP/2 as on
 * any other. The runner's bytes go from its socket straight into the HTTP/2
 * session: no copy through JavaScript, no second socket
 * (docs/decisions/0009-dial-in-runners.md says why and what it saves).
 *
 * At most one runner connection is attached, and the client uses it at most
 * once. A connection attempt while no runner is attached waits (the client
 * sees a connection that has not answered yet) and takes the runner as soon
 * as one is attached. An attempt while the client already uses the attached
 * runner means the client has given that connection up: it is closed, and
 * the attempt waits for the runner to come back. When the runner connection
 * closes, from either side, `ended` reports it.
 */
export class RunnerBridge {
  private readonly server: net.Server;
  private readonly grpcCredentials: grpc.ChannelCredentials;
  private runner: RunnerConnection | undefined;
  /** The attached runner's socket has been given to the client. */
  private inUse = false;
  private waiting: { resolve: (socket: net.Socket) => void; reject: (err: Error) => void } | undefined;
  private closed = false;

  constructor(
    readonly socketPath: string,
    private readonly logger: Logger,
    private readonly ended: (connection: RunnerConnection, reason: string) => void,
  ) {
    // The placeholder connections: the client side drops each at once, and this side follows.
    this.server = net.createServer((socket) => socket.on('error', () => undefined));
    this.grpcCredentials = new AttachedRunnerCredentials(() => this.take());
  }

  /** The grpc-js target of the local socket. */
  target(): string {
    return `unix://${this.socketPath}`;
  }

  /** The channel credentials that make a client of `target()` talk to the attached runner. */
  credentials(): grpc.ChannelCredentials {
    return this.grpcCredentials;
  }

  /** Listens on the socket path; its directory must exist and be private to this user. */
  async open(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(this.socketPath, 0o600);
    this.server.on('error', (err) => this.logger.error({ err }, 'Runner bridge error'));
  }

  /** The attached runner connection, if any. */
  connection(): RunnerConnection | undefined {
    return this.runner;
  }

  /** Attaches a runner connection; the caller has made sure none is attached. */
  attach(connection: RunnerConnection): void {
    if (this.closed) {
      connection.socket.destroy();
      return;
    }
    if (this.runner) throw new Error(`a runner is already attached for node ${connection.nodeName}`);
    this.runner = connection;
    this.inUse = false;
    connection.socket.on('error', (err) => this.logger.debug({ err }, 'Runner connection error'));
    connection.socket.once('close', () => this.onRunnerClosed(connection, 'the runner connection closed'));
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      this.inUse = true;
      waiting.resolve(connection.socket);
    }
  }

  /** Closes the attached runner connection (e.g. a dead one being replaced). */
  detach(reason: string): void {
    const runner = this.runner;
    if (!runner) return;
    this.onRunnerClosed(runner, reason);
    runner.socket.destroy();
  }

  /** Stops listening and closes the runner connection; a connection attempt under way fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach('the kubelet is stopping');
    this.waiting?.reject(new Error('the node is no longer served'));
    this.waiting = undefined;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  /** The client's connection attempt: the attached runner's socket, now or once one is attached. */
  private take(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new Error('the node is no longer served'));
    if (this.runner && this.inUse) this.detach('the kubelet gave up its connection to the runner');
    // grpc-js makes one attempt at a time; an older one still waiting has been abandoned.
    this.waiting?.reject(new Error('superseded by a newer connection attempt'));
    this.waiting = undefined;
    if (this.runner) {
      this.inUse = true;
      return Promise.resolve(this.runner.socket);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  private onRunnerClosed(runner: RunnerConnection, reason: string): void {
    if (this.runner !== runner) return;
    this.runner = undefined;
    this.inUse = false;
    this.ended(runner, reason);
  }
}

type SecureConnector = ReturnType<grpc.ChannelCredentials['_createSecureConnector']>;

/**
 * grpc-js channel credentials whose connector swaps the connection grpc-js
 * dialled for a socket `take` supplies. The socket is already authenticated
 * (by the acceptor's token or client certificate) and encrypted, so no call
 * credentials apply. `_createSecureConnector` is the extension point grpc-js
 * declares for credentials (1.11+); the dial-in tests exercise it.
 */
class AttachedRunnerCredentials extends grpc.ChannelCredentials {
  constructor(private readonly take: () => Promise<net.Socket>) {
    super();
  }

  override compose(): grpc.ChannelCredentials {
    throw new Error('a dial-in runner connection takes no call credentials');
  }

  _isSecure(): boolean {
    return false;
  }

  _equals(other: grpc.ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(): SecureConnector {
    const take = this.take;
    return {
      async connect(dialled: net.Socket) {
        dialled.destroy();
        return { socket: await take(), secure: false };
      },
      waitForReady: () => Promise.resolve(),
      getCallCredentials: () => grpc.CallCredentials.createEmpty(),
      destroy: () => undefined,
    };
  }
}
