import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { Logger } from '../../common/logger.js';
import type { RunnerConnection } from './dial-in-request.js';

/**
 * Hands a dial-in runner connection to an ordinary grpc-js client. grpc-js
 * clients only dial, so each node gets a unix socket in a 0700 directory
 * of the kubelet's; the node's runner client dials it, and the bridge
 * pipes that one local connection to the runner's connection, byte for
 * byte (docs/decisions/0009-dial-in-runners.md says why).
 *
 * At most one runner connection is attached and at most one local
 * connection is served. A local connection that arrives while no runner is
 * attached is held (the client sees a connection that has not answered
 * yet) and paired as soon as one is. When either side of a pair closes,
 * both are closed and `ended` reports the runner connection.
 */
export class RunnerBridge {
  private readonly server: net.Server;
  private runner: RunnerConnection | undefined;
  private local: net.Socket | undefined;
  private paired = false;
  private closed = false;

  constructor(
    readonly socketPath: string,
    private readonly logger: Logger,
    private readonly ended: (connection: RunnerConnection, reason: string) => void,
  ) {
    this.server = net.createServer((socket) => this.onLocal(socket));
  }

  /** The grpc-js target of the local socket. */
  target(): string {
    return `unix://${this.socketPath}`;
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
    connection.socket.on('error', (err) => this.logger.debug({ err }, 'Runner connection error'));
    connection.socket.once('close', () => this.onRunnerClosed(connection, 'the runner connection closed'));
    if (this.local && !this.paired) this.pair(this.local, connection);
  }

  /** Closes the attached runner connection (e.g. a dead one being replaced). */
  detach(reason: string): void {
    const runner = this.runner;
    if (!runner) return;
    this.onRunnerClosed(runner, reason);
    runner.socket.destroy();
  }

  /** Stops listening and closes both sides. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach('the kubelet is stopping');
    this.local?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  private onLocal(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.on('error', (err) => this.logger.debug({ err }, 'Local runner-client connection error'));
    // The client opens a new connection only once its old one is gone; a leftover is closed.
    const previous = this.local;
    this.local = socket;
    if (previous) this.onLocalClosed(previous, true);
    socket.once('close', () => this.onLocalClosed(socket, false));
    if (this.runner && !this.paired) this.pair(socket, this.runner);
  }

  private pair(local: net.Socket, runner: RunnerConnection): void {
    this.paired = true;
    local.pipe(runner.socket);
    runner.socket.pipe(local);
  }

  private onRunnerClosed(runner: RunnerConnection, reason: string): void {
    if (this.runner !== runner) return;
    this.runner = undefined;
    if (this.paired) {
      this.paired = false;
      const local = this.local;
      this.local = undefined;
      local?.destroy();
    }
    this.ended(runner, reason);
  }

  private onLocalClosed(socket: net.Socket, destroy: boolean): void {
    if (destroy) socket.destroy();
    if (this.local !== socket && !destroy) return;
    if (this.local === socket) this.local = undefined;
    if (this.paired) {
      this.paired = false;
      const runner = this.runner;
      if (runner) {
        this.onRunnerClosed(runner, 'the kubelet closed its side of the runner connection');
        runner.socket.destroy();
      }
    }
  }
}
