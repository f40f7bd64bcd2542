import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RunnerClient } from '../src/generated/vkcmd/runner/v1/Runner.js';
import type { ExecResponse__Output } from '../src/generated/vkcmd/runner/v1/ExecResponse.js';
import type { PortForwardResponse__Output } from '../src/generated/vkcmd/runner/v1/PortForwardResponse.js';

/** One Exec call, timed from writing `start` to the arrival of the `exit` message. */
export interface ExecTiming {
  latencyMs: number;
  exitCode: number;
}

/**
 * Runs `command` with stdout in the pod's container over one Exec call and
 * resolves once the call has ended; rejects when the call fails or ends
 * without an `exit` message.
 */
export function execOnce(
  client: RunnerClient,
  uid: string,
  container: string,
  command: string[],
): Promise<ExecTiming> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    let timing: ExecTiming | undefined;
    const call = client.Exec();
    call.on('data', (m: ExecResponse__Output) => {
      if (m.msg !== 'exit' || timing) return;
      timing = { latencyMs: performance.now() - startedMs, exitCode: m.exit?.exitCode ?? -1 };
      call.end();
    });
    call.on('error', reject);
    call.on('end', () =>
      timing ? resolve(timing) : reject(new Error('Exec ended without an exit message')),
    );
    call.write({ start: { uid, container, command, stdout: true } });
  });
}

/**
 * One PortForward call to `port` that sends `payload` in chunks of at most
 * `chunkBytes` (waiting for drain), half-closes, and reads back until the
 * call ends. Resolves with the time from the call's start to its end and the
 * bytes received; rejects on a call error or when fewer bytes came back.
 */
export function portForwardEcho(
  client: RunnerClient,
  uid: string,
  port: number,
  totalBytes: number,
  chunkBytes = 64 * 1024,
): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const chunk = Buffer.alloc(Math.min(chunkBytes, totalBytes), 0x61);
    let received = 0;
    let sending = false;
    const call = client.PortForward();
    const send = async (): Promise<void> => {
      for (let sent = 0; sent < totalBytes; sent += chunk.length) {
        const part = totalBytes - sent >= chunk.length ? chunk : chunk.subarray(0, totalBytes - sent);
        if (!call.write({ data: part })) await new Promise((r) => call.once('drain', r));
      }
      call.write({ closeWrite: true });
      call.end();
    };
    call.on('data', (m: PortForwardResponse__Output) => {
      if (m.msg === 'connected' && !sending) {
        sending = true;
        send().catch(reject);
      } else if (m.msg === 'data' && m.data) {
        received += m.data.length;
      }
    });
    call.on('error', reject);
    call.on('end', () => {
      const ms = performance.now() - startedMs;
      if (received < totalBytes)
        reject(new Error(`PortForward: ${received} of ${totalBytes} bytes came back`));
      else resolve({ ms, bytes: received });
    });
    call.write({ start: { uid, port } });
  });
}

/** A local TCP server that echoes every connection back and closes its side after the client's. */
export async function startEchoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
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

/** A local HTTP server answering 200 "ok" to every request, for httpGet probes. */
export async function startOkServer(): Promise<{
  port: number;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
