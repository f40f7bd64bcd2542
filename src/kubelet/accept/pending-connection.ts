import type net from 'node:net';
import type tls from 'node:tls';

/**
 * A connection that has not authenticated yet: all it holds, dropped
 * together. Phases: hello (accepted, its TLS hello not read yet) -> queued
 * (waiting for a handshake slot) -> tls (handshake under way, holding a
 * slot) -> request (TLS done, reading the upgrade request).
 */
export interface PendingConnection {
  raw: net.Socket;
  phase: 'hello' | 'queued' | 'tls' | 'request';
  /** Set once the TLS handshake completed. */
  socket: tls.TLSSocket | undefined;
  remote: string;
  timer: NodeJS.Timeout | undefined;
  received: Buffer;
}

/** The peer's address and port: the key of a pending connection, shared by its raw and its TLS socket. */
export const remoteKey = (socket: net.Socket): string =>
  `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
