import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const CHUNK = Buffer.alloc(256 * 1024, 0x61);

/**
 * A loopback TCP server that writes `totalBytes` to every connection as fast
 * as the peer reads them, then ends its side. The pods of a vk-cmd node share
 * the host's network, so a pod's port-forward reaches it on 127.0.0.1.
 */
export async function startByteSource(
  totalBytes: number,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let sent = 0;
    const pump = (): void => {
      while (sent < totalBytes) {
        const part = Math.min(CHUNK.length, totalBytes - sent);
        sent += part;
        if (!socket.write(part === CHUNK.length ? CHUNK : CHUNK.subarray(0, part))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Connects to 127.0.0.1:`port` and reads until `totalBytes` have arrived;
 * resolves with the time from the connect call to the last byte. Counting
 * bytes rather than waiting for the close keeps the figure independent of how
 * a forwarder propagates the end of the stream. Rejects when the connection
 * ends or fails short of `totalBytes`, or after `timeoutMs`.
 */
export function readBytesFrom(
  port: number,
  totalBytes: number,
  timeoutMs = 300_000,
): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    let received = 0;
    let done = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (result: Error | { ms: number; bytes: number }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(
      () => finish(new Error(`${received} of ${totalBytes} bytes after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= totalBytes) finish({ ms: performance.now() - startedMs, bytes: received });
    });
    socket.on('end', () => finish(new Error(`connection ended after ${received} of ${totalBytes} bytes`)));
    socket.on('error', (err) => finish(err));
  });
}
