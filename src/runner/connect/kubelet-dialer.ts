import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  DIAL_IN_PATH,
  DIAL_IN_PROTOCOL,
  NODE_NAME_HEADER,
  RUNNER_VERSION_HEADER,
} from '../../common/dial-in.js';
import type { ConnectTarget } from './connect-target.js';

/** What the runner presents and trusts when it dials; read again for every attempt (rotation). */
export interface DialCredentials {
  /** CA bundle that verifies the kubelet (--connect-ca); the system roots when undefined. */
  ca?: Buffer;
  /** Client certificate and key for mTLS (--tls-cert/--tls-key). */
  cert?: Buffer;
  key?: Buffer;
  /** Bearer token (--token-file). */
  token?: string;
}

export interface DialRequest {
  target: ConnectTarget;
  /** The node the runner asks to serve. */
  nodeName: string;
  version: string;
  /** From the first byte to the 101, TLS included. */
  timeoutMs: number;
}

/** The kubelet answered, and not with 101: `status` and its one-line reason. */
export class DialRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`the kubelet refused the connection: ${status} ${reason}`);
    this.name = 'DialRefusedError';
  }
}

/** An established dial-in connection, ready to carry HTTP/2. */
export interface DialedKubelet {
  socket: TLSSocket;
  /** The node the kubelet granted (its answer's Vk-Cmd-Node-Name). */
  grantedNode: string;
}

const MAX_REFUSAL_BYTES = 4096;

/** A hint for TLS failures that operators hit first. Pure. */
export function tlsHint(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `${err.message}: the kubelet's certificate is not signed by a CA the runner trusts; pass its CA with --connect-ca`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${err.message}: the kubelet's certificate does not name the host in --connect`;
    case 'CERT_HAS_EXPIRED':
      return `${err.message}: the kubelet's serving certificate has expired`;
    default:
      return err.message;
  }
}

function readRefusal(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      res.destroy();
      resolve(Buffer.concat(chunks).toString('utf8').trim().split('\n')[0] ?? '');
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_REFUSAL_BYTES) done();
    });
    res.once('end', done);
    res.once('error', done);
  });
}

/**
 * Dials the kubelet once: TLS (verifying the kubelet), then the upgrade
 * request of src/common/dial-in.ts. Resolves with the socket once the kubelet
 * answered 101; rejects with DialRefusedError when it answered otherwise, or
 * with the network or TLS error (its message carrying a hint).
 */
export function dialKubelet(request: DialRequest, credentials: DialCredentials): Promise<DialedKubelet> {
  const { target } = request;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const req = https.request({
      host: target.host,
      port: target.port,
      path: DIAL_IN_PATH,
      method: 'GET',
      agent: false,
      servername: /^[\d.]+$|:/.test(target.host) ? undefined : target.host,
      ...(credentials.ca ? { ca: credentials.ca } : {}),
      ...(credentials.cert && credentials.key ? { cert: credentials.cert, key: credentials.key } : {}),
      minVersion: 'TLSv1.2',
      timeout: request.timeoutMs,
      headers: {
        Connection: 'Upgrade',
        Upgrade: DIAL_IN_PROTOCOL,
        [NODE_NAME_HEADER]: request.nodeName,
        [RUNNER_VERSION_HEADER]: request.version,
        ...(credentials.token ? { Authorization: `Bearer ${credentials.token}` } : {}),
      },
    });
    req.once('upgrade', (res: IncomingMessage, socket: TLSSocket, head: Buffer) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      socket.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      const granted = res.headers[NODE_NAME_HEADER];
      resolve({ socket, grantedNode: typeof granted === 'string' ? granted : request.nodeName });
    });
    req.once('response', (res: IncomingMessage) => {
      void readRefusal(res).then((reason) =>
        fail(new DialRefusedError(res.statusCode ?? 0, reason || (res.statusMessage ?? ''))),
      );
    });
    req.once('timeout', () => {
      fail(new Error(`no answer from ${target.url} within ${request.timeoutMs} ms`));
      req.destroy();
    });
    req.once('error', (err: Error & { code?: string }) => fail(new Error(tlsHint(err), { cause: err })));
    req.end();
  });
}
