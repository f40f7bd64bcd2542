import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { sendHealthz, sendReadyz, sendText } from './api-handlers.js';
import type { HealthSource } from './kubelet-api-options.js';

export interface HealthzServerOptions {
  bindAddress: string;
  /** 0 picks a free port (tests); the kubelet does not start this server for --healthz-port 0. */
  port: number;
  health: HealthSource;
  logger: Logger;
  /** Delay between attempts to listen while the port is taken; 5 s as the kubelet. */
  retryMs?: number;
}

/**
 * The kubelet's --healthz-port: plain HTTP, no authentication, `/healthz`
 * (and vk-cmd's `/readyz`) for local liveness and readiness probes. As the
 * kubelet, failing to listen does not stop the process: it is logged and
 * retried every few seconds.
 */
export class HealthzServer {
  private readonly server: http.Server;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private listening: (() => void) | undefined;

  constructor(private readonly options: HealthzServerOptions) {
    this.server = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://healthz.invalid').pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return sendText(res, 405, 'Method Not Allowed');
      }
      if (pathname === '/healthz') return sendHealthz(res, options.health);
      if (pathname === '/readyz') return sendReadyz(res, options.health);
      return sendText(res, 404, '404 page not found');
    });
    this.server.on('error', (err) => this.onListenError(err));
  }

  /** Starts listening (retrying in the background); resolves once listening or stopped. */
  start(): Promise<void> {
    const listening = new Promise<void>((resolve) => (this.listening = resolve));
    this.listen();
    return listening;
  }

  /** The bound port, once listening. */
  port(): number | undefined {
    const address = this.server.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.listening?.();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // close() waits for open connections, and probes may hold keep-alive ones.
    this.server.closeAllConnections();
    await closed;
  }

  private listen(): void {
    if (this.stopped) return;
    const { bindAddress, port, logger } = this.options;
    this.server.listen(port, bindAddress, () => {
      logger.info({ address: bindAddress, port: this.port() }, 'Serving healthz');
      this.listening?.();
    });
  }

  private onListenError(err: Error): void {
    if (this.stopped) return;
    const { bindAddress, port, logger } = this.options;
    // Once listening, an error is a failed accept (e.g. out of file descriptors);
    // the server keeps listening, and listening again would throw.
    if (this.server.listening) {
      logger.warn({ err, address: bindAddress, port }, 'Healthz server error');
      return;
    }
    this.failures++;
    // The first failure is an error; repeats would flood the log.
    logger[this.failures === 1 ? 'error' : 'debug'](
      { err, address: bindAddress, port },
      'Failed to start healthz server',
    );
    this.retryTimer = setTimeout(() => this.listen(), this.options.retryMs ?? 5000);
  }
}
