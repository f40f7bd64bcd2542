import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import { loadOrCreateServingCert } from '../../src/kubelet/api/serving-cert.js';
import { writeRawResponse, writeSpdyUpgrade } from '../../src/kubelet/api/streaming/raw-response.js';
import { acceptSpdyCommand } from '../../src/kubelet/api/streaming/spdy-command.js';
import { parseCommandStreamOptions } from '../../src/kubelet/api/streaming/stream-request.js';
import {
  REMOTE_COMMAND_SPDY_PROTOCOLS,
  headerValues,
  isSpdyUpgrade,
  negotiateSpdyProtocol,
  spdyCommandVersion,
} from '../../src/kubelet/api/streaming/stream-protocols.js';

/** Loopback only: the stub has no authentication, so nothing off the host may reach it. */
const STUB_ADDRESS = '127.0.0.1';

/** A kubelet stub serving on loopback. */
export interface StubKubelet {
  /** The HTTPS port on 127.0.0.1 (for the Node's daemonEndpoints). */
  port: number;
  /** Exec sessions completed with a Success status so far. */
  readonly sessions: number;
  /** Stops listening and drops open connections; resolves once closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * A kubelet that answers `/exec` at once, to measure what the API server
 * and kubectl cost without any kubelet or runner behind them: it accepts the
 * API server's SPDY/3.1 upgrade with the remotecommand protocol the API
 * server offers first (v5 over SPDY is v4), waits for the client's streams
 * with the same framer and session code the kubelet uses, then writes a
 * Success status on the error stream and closes, running nothing. No
 * authentication or authorisation: it listens on 127.0.0.1 only, with a
 * self-signed certificate (the bench's API server does not verify kubelet
 * certificates). Every other request or upgrade gets 404.
 */
export async function startStubKubelet(): Promise<StubKubelet> {
  const cert = await loadOrCreateServingCert(undefined, undefined, ['localhost'], [STUB_ADDRESS]);
  const logger = pino({ level: 'silent' });
  const sockets = new Set<Duplex>();
  let sessions = 0;
  const server = https.createServer(
    { cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.2' },
    (_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
    },
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'https://stub.invalid');
    if (!url.pathname.startsWith('/exec/') || !isSpdyUpgrade(req.headers.connection, req.headers.upgrade)) {
      writeRawResponse(socket, 404, '404 page not found');
      return;
    }
    const negotiation = negotiateSpdyProtocol(
      headerValues(req.headers['x-stream-protocol-version']),
      REMOTE_COMMAND_SPDY_PROTOCOLS,
    );
    if (!negotiation.ok) {
      writeRawResponse(socket, negotiation.status, negotiation.message);
      return;
    }
    let streams;
    try {
      streams = parseCommandStreamOptions(url.searchParams);
    } catch (err) {
      writeRawResponse(socket, 400, (err as Error).message);
      return;
    }
    writeSpdyUpgrade(socket, negotiation.protocol);
    acceptSpdyCommand({
      socket,
      head,
      streams,
      version: spdyCommandVersion(negotiation.protocol),
      logger,
      streamCreationTimeoutMs: 10_000,
    }).then(
      (channels) => {
        channels.finish({ kind: 'exited', exitCode: 0 });
        sessions++;
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, STUB_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    get sessions() {
      return sessions;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
