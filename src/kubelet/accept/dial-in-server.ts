import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { AcceptRunnersConfig } from '../config/kubelet-config.js';
import { invalidSetting } from '../errors.js';
import { RunnerAcceptor, type ClaimAnswer, type DialInRequest } from './runner-acceptor.js';
import { readSecretFile, TokenGrantsFile } from './secret-files.js';

/**
 * The kubelet's side of --accept-runners: the acceptor on its TLS address,
 * with the serving pair and tokens read (and their modes checked) at open,
 * and a private 0700 directory for the nodes' bridge sockets. Which node a
 * granted runner gets is the `claim` callback's decision.
 */
export class DialInServer {
  private constructor(
    private readonly acceptor: RunnerAcceptor,
    /** The bridge sockets' directory: fresh, mode 0700, removed on close. */
    readonly socketDir: string,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Reads the files (refusing loose modes), starts accepting. Throws ConfigError for bad files. */
  static async open(
    accept: AcceptRunnersConfig,
    logger: Logger,
    claim: (request: DialInRequest) => Promise<ClaimAnswer>,
  ): Promise<DialInServer> {
    const tokens = accept.tokensFile ? new TokenGrantsFile(accept.tokensFile) : undefined;
    tokens?.current();
    const keyPem = readSecretFile('--accept-runners-key', accept.keyFile);
    const read = (setting: string, file: string): Buffer => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw invalidSetting(setting, `cannot read ${file}: ${(err as Error).message}`);
      }
    };
    const acceptor = new RunnerAcceptor({
      host: accept.host,
      port: accept.port,
      certPem: read('--accept-runners-cert', accept.certFile),
      keyPem,
      ...(accept.clientCaFile
        ? { clientCaPem: read('--accept-runners-client-ca', accept.clientCaFile) }
        : {}),
      grants: () => tokens?.current() ?? [],
      claim,
      handshakeTimeoutMs: accept.handshakeTimeoutMs,
      logger: logger.child({ component: 'runner-acceptor' }),
    });
    const socketDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-kubelet-'));
    try {
      const { port } = await acceptor.start();
      return new DialInServer(acceptor, socketDir, accept.host, port);
    } catch (err) {
      rmSync(socketDir, { recursive: true, force: true });
      throw invalidSetting(
        '--accept-runners',
        `cannot listen on ${accept.host}:${accept.port}: ${(err as Error).message}`,
      );
    }
  }

  /** A bridge socket path for the n-th node (short: node names may be 253 bytes, sun_path holds 107). */
  socketPath(index: number): string {
    return path.join(this.socketDir, `${index}.sock`);
  }

  /** How readiness messages name a dial-in runner. */
  describe(): string {
    return `dial-in ${this.host}:${this.port}`;
  }

  /** Connections still authenticating (tests and metrics). */
  pendingHandshakes(): number {
    return this.acceptor.pendingHandshakes();
  }

  /** Stops accepting; the nodes' channels are closed by their owners before this. */
  async close(): Promise<void> {
    await this.acceptor.stop();
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
