import { errnoCode, errorMessage } from '../../common/errors.js';

/** host:port as Go's net.JoinHostPort writes it (IPv6 in brackets). Pure. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ETIMEDOUT: 'connection timed out',
};

/**
 * A failed TCP dial in the words of Go's net package, which the kubelet's
 * probe messages quote: `dial tcp 127.0.0.1:8080: connect: connection
 * refused`, `dial tcp: lookup db: no such host`. Pure.
 */
export function dialErrorMessage(hostPort: string, host: string, err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${host}: no such host`;
  const text = code ? CONNECT_ERRORS[code] : undefined;
  if (text) return `dial tcp ${hostPort}: connect: ${text}`;
  return `dial tcp ${hostPort}: ${errorMessage(err)}`;
}

/** A dial that did not finish within the timeout, as Go words it. Pure. */
export function dialTimeoutMessage(hostPort: string): string {
  return `dial tcp ${hostPort}: i/o timeout`;
}

/** An error on an established connection, in Go's words where they differ from Node's. Pure. */
export function connectionErrorMessage(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ECONNRESET') return 'read: connection reset by peer';
  if (code === 'EPIPE') return 'write: broken pipe';
  const message = errorMessage(err);
  return message === 'socket hang up' ? 'EOF' : message;
}
