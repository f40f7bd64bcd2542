import type tls from 'node:tls';
import {
  DIAL_IN_LEAVE_PATH,
  DIAL_IN_PATH,
  DIAL_IN_PROTOCOL,
  NODE_NAME_HEADER,
} from '../../common/dial-in.js';
import { isNodeName } from '../../common/node-name.js';
import { headerHasToken, type RequestHead } from './request-head.js';
import type { PresentedCredential } from './runner-grants.js';

/** A runner that authenticated and was granted a node; what the acceptor's owner decides on. */
export interface DialInRequest {
  nodeName: string;
  remoteAddress: string;
  /** How it authenticated, for the log: `token (line 3)`, `certificate CN=system:node:x`. */
  credential: string;
  runnerVersion: string | undefined;
}

/** An accepted runner connection; from now on `socket` carries HTTP/2 (the runner serves gRPC). */
export interface RunnerConnection extends DialInRequest {
  readonly socket: tls.TLSSocket;
  readonly acceptedAtMs: number;
}

/** The owner's answer to a granted runner: take the connection, or refuse with a reason. */
export type ClaimAnswer =
  { accept: (connection: RunnerConnection) => void } | { refuse: 403 | 409 | 503; reason: string };

/** The answer to a runner that leaves: 200 when its node is gone, else why not. */
export interface LeaveAnswer {
  status: 200 | 403 | 404 | 409 | 503;
  reason: string;
}

/**
 * What a complete request head asks for, before any credential is looked
 * at: to join (the upgrade of src/common/dial-in.ts) or to leave (POST to
 * the leave path) as the node it names; or a refusal with the status and
 * the one-line reason the runner logs. `node` is the name asked for, when
 * there is one, for the kubelet's log.
 */
export type RequestShape =
  | { kind: 'join' | 'leave'; node: string }
  | { kind: 'refuse'; status: 400 | 404 | 405 | 426; reason: string; node: string | undefined };

/** Checks a dial-in request head's path, method, upgrade headers and node name. Pure. */
export function checkRequestShape(head: RequestHead): RequestShape {
  const node = head.headers.get(NODE_NAME_HEADER);
  const leaving = head.target === DIAL_IN_LEAVE_PATH;
  if (head.target !== DIAL_IN_PATH && !leaving) {
    return {
      kind: 'refuse',
      status: 404,
      reason: `unknown path ${head.target}; runners dial ${DIAL_IN_PATH}`,
      node,
    };
  }
  if (leaving && head.method !== 'POST') {
    return { kind: 'refuse', status: 405, reason: `${DIAL_IN_LEAVE_PATH} takes POST`, node };
  }
  if (
    !leaving &&
    (head.method !== 'GET' ||
      !headerHasToken(head.headers.get('connection'), 'upgrade') ||
      !headerHasToken(head.headers.get('upgrade'), DIAL_IN_PROTOCOL))
  ) {
    return {
      kind: 'refuse',
      status: 426,
      reason: `expected GET with Connection: Upgrade and Upgrade: ${DIAL_IN_PROTOCOL}`,
      node,
    };
  }
  if (node === undefined || !isNodeName(node)) {
    return {
      kind: 'refuse',
      status: 400,
      reason: `malformed request: ${NODE_NAME_HEADER} must be a node name`,
      node,
    };
  }
  return { kind: leaving ? 'leave' : 'join', node };
}

/** The parts of a TLS peer certificate check the credential depends on (tls.TLSSocket's view). */
export interface PeerCertificateView {
  /** The subject's CN, when the certificate has a single string one. */
  commonName: string | undefined;
  /** socket.authorized: the chain verified against the client CA. */
  authorized: boolean;
  /** socket.authorizationError: a code string, an Error with a code, or nothing. */
  authorizationError: unknown;
}

/**
 * What a runner presented: the bearer token of `authorization` (any other
 * scheme counts as none) and, when the kubelet asks for client
 * certificates and one came, that certificate with its verification
 * outcome. Pure.
 */
export function presentedCredential(
  authorization: string | undefined,
  peer: PeerCertificateView | undefined,
): PresentedCredential {
  const bearer = authorization?.startsWith('Bearer ')
    ? authorization.slice('Bearer '.length).trim()
    : undefined;
  const withBearer = bearer === undefined ? {} : { bearer };
  if (peer === undefined) return withBearer;
  return {
    certificate: {
      commonName: peer.commonName,
      verified: peer.authorized,
      verifyError: verifyErrorText(peer.authorizationError),
    },
    ...withBearer,
  };
}

/** The client certificate a TLS socket received, if any (thin adapter for presentedCredential). */
export function peerCertificateView(socket: tls.TLSSocket): PeerCertificateView | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return undefined;
  return {
    commonName: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError as unknown,
  };
}

function verifyErrorText(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'string') return error;
  return (error as { code?: string }).code ?? String(error);
}
