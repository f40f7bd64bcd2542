/*
 * The subprotocols of the kubelet's streaming endpoints, as the 1.33 kubelet
 * and client-go name them, and their negotiation. Pure.
 */

export const SPDY_31 = 'SPDY/3.1';
export const PROTOCOL_HEADER = 'x-stream-protocol-version';
export const ACCEPTED_PROTOCOLS_HEADER = 'X-Accepted-Stream-Protocol-Versions';

/** remotecommand over SPDY, newest first. v5 over SPDY is v4: its close signal is WebSocket-only. */
export const REMOTE_COMMAND_SPDY_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;

export const PORT_FORWARD_SPDY_PROTOCOLS = ['portforward.k8s.io'] as const;

/**
 * remotecommand protocol generations: 1 (channel.k8s.io) and 2 write errors
 * as text, 3 adds the resize stream, 4 writes a metav1.Status carrying the
 * exit code, 5 (WebSocket) adds the close signal that half-closes stdin.
 */
export type CommandProtocolVersion = 1 | 2 | 3 | 4 | 5;

export function spdyCommandVersion(protocol: string): CommandProtocolVersion {
  const match = /^v(\d)\.channel\.k8s\.io$/.exec(protocol);
  const version = match ? Number(match[1]) : 1;
  return Math.min(Math.max(version, 1), 5) as CommandProtocolVersion;
}

/** How a WebSocket subprotocol frames channel messages. */
export interface WsChannelProtocol {
  codec: 'binary' | 'base64';
  version: CommandProtocolVersion;
}

/** remotecommand over WebSocket; '' is a client that named no subprotocol. */
export const REMOTE_COMMAND_WS_PROTOCOLS: ReadonlyMap<string, WsChannelProtocol> = new Map([
  ['v5.channel.k8s.io', { codec: 'binary', version: 5 }],
  ['v4.channel.k8s.io', { codec: 'binary', version: 4 }],
  ['v4.base64.channel.k8s.io', { codec: 'base64', version: 4 }],
  ['channel.k8s.io', { codec: 'binary', version: 1 }],
  ['base64.channel.k8s.io', { codec: 'base64', version: 1 }],
  ['', { codec: 'binary', version: 1 }],
]);

/** port-forward over WebSocket: a data and an error channel per port. */
export const PORT_FORWARD_WS_PROTOCOLS: ReadonlyMap<string, WsChannelProtocol> = new Map([
  ['v4.channel.k8s.io', { codec: 'binary', version: 4 }],
  ['v4.base64.channel.k8s.io', { codec: 'base64', version: 4 }],
  ['portforward.k8s.io', { codec: 'binary', version: 4 }],
  ['', { codec: 'binary', version: 4 }],
]);

/** Every value of a repeatable, comma-separated header, trimmed, in order. */
export function headerValues(header: string | string[] | undefined): string[] {
  const raw = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return raw
    .flatMap((h) => h.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export type Negotiation =
  | { ok: true; protocol: string }
  | { ok: false; status: number; message: string; accepted: readonly string[] };

/**
 * X-Stream-Protocol-Version negotiation as httpstream.Handshake does it: the
 * client's first protocol the server supports wins; none offered is an
 * error, none in common a 403 naming what the server accepts.
 */
export function negotiateSpdyProtocol(offered: readonly string[], supported: readonly string[]): Negotiation {
  if (offered.length === 0) {
    return {
      ok: false,
      status: 400,
      message: 'unable to upgrade: X-Stream-Protocol-Version is required',
      accepted: [],
    };
  }
  const protocol = offered.find((p) => supported.includes(p));
  if (protocol) return { ok: true, protocol };
  return {
    ok: false,
    status: 403,
    message:
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], ` +
      `server accepts [${supported.join(' ')}]`,
    accepted: supported,
  };
}

/**
 * WebSocket subprotocol choice as wsstream's handshake makes it: the client's
 * first protocol the server supports; a client that offers none gets ''.
 * Undefined when nothing offered is supported.
 */
export function negotiateWsProtocol(
  offered: readonly string[],
  supported: ReadonlyMap<string, WsChannelProtocol>,
): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((p) => p !== '' && supported.has(p));
}

/** A request asks for a SPDY upgrade: Connection names upgrade and Upgrade names SPDY/3.1. */
export function isSpdyUpgrade(connection: string | undefined, upgrade: string | undefined): boolean {
  return (
    (connection ?? '').toLowerCase().includes('upgrade') &&
    (upgrade ?? '').toLowerCase().includes(SPDY_31.toLowerCase())
  );
}

/** A request asks for a WebSocket: Upgrade is websocket and Connection names upgrade. */
export function isWebSocketUpgrade(connection: string | undefined, upgrade: string | undefined): boolean {
  return (
    (upgrade ?? '').toLowerCase() === 'websocket' &&
    /(^|,)\s*upgrade\s*($|,)/.test((connection ?? '').toLowerCase())
  );
}
