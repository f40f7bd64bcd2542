import type { Logger } from 'pino';
import type { HandshakeSlots } from './handshake-slots.js';
import type { PendingConnection } from './pending-connection.js';
import { formatResponse } from './request-head.js';

/**
 * The connections still authenticating, by their peer's address and port
 * (which the raw and the TLS socket share), and the three ways one ends
 * before it is accepted: dropped (closed without an answer), refused (an
 * HTTP answer saying why, then closed) or forgotten (its owner took it, or
 * it closed). Whichever way, its timer is cleared, its handshake slot is
 * given back and nothing of it is kept. Single event loop.
 */
export class PendingConnections {
  private readonly byRemote = new Map<string, PendingConnection>();

  constructor(
    private readonly slots: HandshakeSlots<PendingConnection>,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.byRemote.size;
  }

  get(remote: string): PendingConnection | undefined {
    return this.byRemote.get(remote);
  }

  add(p: PendingConnection): void {
    this.byRemote.set(p.remote, p);
  }

  /** Still this connection (not one that closed and whose address and port were reused). */
  has(p: PendingConnection): boolean {
    return this.byRemote.get(p.remote) === p;
  }

  /** The connection was accepted: it is its owner's now; its timer is left to the caller. */
  release(p: PendingConnection): void {
    if (this.has(p)) this.byRemote.delete(p.remote);
  }

  all(): PendingConnection[] {
    return [...this.byRemote.values()];
  }

  /** The connection's handshake ended (done, failed, dropped): its slot goes to the next. */
  endTls(p: PendingConnection): void {
    if (p.phase !== 'tls') return;
    p.phase = 'request';
    this.slots.release();
  }

  /** Answers with `status` and `reason`, then closes; one log line. */
  refuse(p: PendingConnection, status: number, reason: string, node: string | undefined): void {
    this.logger.warn({ remote: p.remote, node, status, reason }, 'Refused a runner connection');
    this.forget(p, false);
    p.socket?.end(formatResponse(status, {}, `${reason}\n`));
    // The runner closes once it has read the answer; one that does not is cut off.
    setTimeout(() => p.raw.destroy(), 1000).unref();
  }

  /** Closes without an answer (deadline passed, TLS failed); one log line. */
  drop(p: PendingConnection, reason: string): void {
    if (!this.has(p)) return;
    this.logger.warn({ remote: p.remote, reason }, 'Refused a runner connection');
    this.forget(p, true);
  }

  forget(p: PendingConnection, destroy: boolean): void {
    clearTimeout(p.timer);
    if (p.phase === 'queued') this.slots.remove(p);
    this.endTls(p);
    this.release(p);
    p.received = Buffer.alloc(0);
    if (destroy) {
      p.socket?.destroy();
      p.raw.destroy();
    }
  }
}
