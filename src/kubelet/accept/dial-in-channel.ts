import { readFileSync } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import { createRunnerClient, DEFAULT_KEEPALIVE } from '../runner/runner-client.js';
import type { ClaimAnswer, DialInRequest, RunnerConnection } from './dial-in-request.js';
import { RunnerBridge } from './runner-bridge.js';

export interface DialInChannelOptions {
  nodeName: string;
  /** The bridge's unix socket, in a directory only this user can open. */
  socketPath: string;
  logger: Logger;
  /** How long a connected runner has to answer before a new claim of its node replaces it. */
  probeTimeoutMs?: number;

  /** The attached runner's connection ended. */
  onDetached?: (connection: RunnerConnection, reason: string) => void;
}

/**
 * The runner end of one node served by a dial-in runner: the bridge and the
 * gRPC client that talks through it, plus the rule for a runner that claims
 * the node: taken when no runner is attached; refused (409) while the
 * attached one answers; and when the attached one does not answer within
 * the probe timeout (its host died without closing the connection), the
 * old connection is closed and the new one taken. Claims are decided one at
 * a time.
 */
export class DialInChannel {
  readonly client: RunnerClient;
  /** A runner was attached: the node's link should connect now rather than wait out its back-off. */
  onAttached: ((connection: RunnerConnection) => void) | undefined;
  private readonly bridge: RunnerBridge;
  private claiming: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DialInChannelOptions) {
    this.bridge = new RunnerBridge(options.socketPath, options.logger, (connection, reason) => {
      options.logger.info(
        { node: connection.nodeName, remote: connection.remoteAddress, reason },
        'Runner disconnected',
      );
      options.onDetached?.(connection, reason);
    });
    this.client = createRunnerClient(
      { target: this.bridge.target(), transport: 'unix', insecure: false },
      readFileSync,
      DEFAULT_KEEPALIVE,
      this.bridge.credentials(),
    );
  }

  /** What readiness messages call the runner. */
  describe(): string {
    const connection = this.bridge.connection();
    return connection ? `dial-in runner at ${connection.remoteAddress}` : 'dial-in runner (not connected)';
  }

  connection(): RunnerConnection | undefined {
    return this.bridge.connection();
  }

  async open(): Promise<void> {
    await this.bridge.open();
  }

  /** Closes the runner connection and the client. */
  async close(): Promise<void> {
    this.client.close();
    await this.bridge.close();
  }

  /** Decides on a runner that asks for this node (see the class comment). */
  claim(request: DialInRequest): Promise<ClaimAnswer> {
    const decided = this.claiming.then(() => this.decide(request));
    this.claiming = decided.catch(() => undefined);
    return decided;
  }

  private async decide(request: DialInRequest): Promise<ClaimAnswer> {
    const current = this.bridge.connection();
    if (current) {
      if (await this.answers()) {
        return {
          refuse: 409,
          reason: `node "${request.nodeName}" is already served by a connected runner (from ${current.remoteAddress} since ${new Date(current.acceptedAtMs).toISOString()}); stop that runner or pick another --node-name`,
        };
      }
      this.options.logger.warn(
        { node: request.nodeName, old: current.remoteAddress, new: request.remoteAddress },
        'The connected runner does not answer; replacing its connection',
      );
      this.bridge.detach('replaced by a new connection for the same node');
    }
    return {
      accept: (connection) => {
        // Claims are decided one at a time, but the acceptor calls this a moment after the decision.
        if (this.bridge.connection()) {
          this.options.logger.warn({ node: connection.nodeName }, 'Another runner took the node first');
          connection.socket.destroy();
          return;
        }
        this.bridge.attach(connection);
        this.onAttached?.(connection);
      },
    };
  }

  /** Whether the attached runner answers a cheap call within the probe timeout. */
  private answers(): Promise<boolean> {
    const timeoutMs = this.options.probeTimeoutMs ?? 3000;
    return new Promise((resolve) => {
      this.client.getNodeInfo({}, { deadline: Date.now() + timeoutMs }, (err) => resolve(!err));
    });
  }
}
