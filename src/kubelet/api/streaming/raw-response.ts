import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Writes a complete plain-text HTTP/1.1 response on a socket taken over
 * for an upgrade (node's 'upgrade' event has no ServerResponse) and ends
 * it. Headers as the kubelet's http.Error writes them.
 */
export function writeRawResponse(
  socket: Duplex,
  status: number,
  body: string,
  headers: ReadonlyArray<readonly [string, string]> = [],
): void {
  if (socket.destroyed) return;
  const bytes = Buffer.from(body, 'utf8');
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`,
    ...headers.map(([name, value]) => `${name}: ${value}`),
    'Content-Type: text/plain; charset=utf-8',
    'X-Content-Type-Options: nosniff',
    `Content-Length: ${bytes.length}`,
    'Connection: close',
  ];
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]));
}

/** The 101 answer to a SPDY/3.1 upgrade with the negotiated subprotocol. */
export function writeSpdyUpgrade(socket: Duplex, protocol: string): void {
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Connection: Upgrade\r\n' +
      'Upgrade: SPDY/3.1\r\n' +
      `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
}
