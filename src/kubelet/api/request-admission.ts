import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../common/logger.js';
import { matchRoute, type RouteMatch } from './api-routes.js';
import type { ClientCertificateInfo, RequestAuthenticator } from './request-authenticator.js';
import type { RequestAuthorizer } from './request-authorizer.js';
import {
  AuthorizationReviewError,
  authorizationErrorMessage,
  forbiddenMessage,
  requestAttributes,
} from './request-authorizer.js';

/** Whether a request may go on, and the answer when it may not. */
export type Admission = { admitted: true } | { admitted: false; status: number; body: string };

/** The URL and route of a request; both undefined when the path cannot be parsed. */
export function parseTarget(req: IncomingMessage): { url: URL | undefined; route: RouteMatch | undefined } {
  try {
    const url = new URL(req.url ?? '/', 'https://kubelet.invalid');
    return { url, route: matchRoute(url.pathname) };
  } catch {
    // An unparsable URL or path segment: answered with 400 once the caller is known.
    return { url: undefined, route: undefined };
  }
}

/**
 * What each TLS connection's client presented, read once per connection: the
 * peer certificate cannot change within a TLS session (the server allows no
 * renegotiation), and getPeerCertificate() builds a fresh object from the
 * X.509 each call, a cost metrics-server's scrapes paid on every request of
 * their keep-alive connections.
 */
const peerByConnection = new WeakMap<TLSSocket, ClientCertificateInfo | null>();

/** The client certificate of a request's connection; undefined when none was presented (or not TLS). */
export function clientCertificate(req: IncomingMessage): ClientCertificateInfo | undefined {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const known = peerByConnection.get(socket);
  if (known !== undefined) return known ?? undefined;
  const peer = socket.getPeerCertificate();
  const info =
    !peer || Object.keys(peer).length === 0
      ? null
      : {
          presented: true,
          verified: socket.authorized,
          commonName: peer.subject?.CN,
          organization: peer.subject?.O,
          verifyError: socket.authorizationError ? String(socket.authorizationError) : undefined,
        };
  peerByConnection.set(socket, info);
  return info ?? undefined;
}

/**
 * Authenticates and authorises a request as a kubelet does: 401 without
 * acceptable credentials, 400 for a malformed path, 500 when a review cannot
 * be made, 403 when denied. Holds no state of its own beyond the two
 * reviewers (which cache their answers).
 */
export class RequestAdmission {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly authorizer: RequestAuthorizer,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  async admit(req: IncomingMessage, url: URL | undefined): Promise<Admission> {
    const authn = await this.authenticator.authenticate({
      cert: clientCertificate(req),
      authorization: req.headers.authorization,
    });
    if (!authn.authenticated) {
      this.log.debug({ reason: authn.reason, path: url?.pathname }, 'Unauthorized request');
      return { admitted: false, status: 401, body: 'Unauthorized' };
    }
    if (!url) return { admitted: false, status: 400, body: 'malformed request path' };
    // Every path, /healthz included, is authorised as a 1.33 kubelet does; the
    // unauthenticated health endpoints live on --healthz-port.
    const method = req.method ?? 'GET';
    const attributes = requestAttributes(authn.user, method, url.pathname, this.nodeName);
    let decision;
    try {
      decision = await this.authorizer.authorize(attributes);
    } catch (err) {
      const failed = err instanceof AuthorizationReviewError ? err.attributes : attributes[0]!;
      this.log.error({ err, user: authn.user.name }, 'Authorization review failed');
      return { admitted: false, status: 500, body: authorizationErrorMessage(failed) };
    }
    if (!decision.allowed) {
      this.log.debug({ user: authn.user.name, reason: decision.reason }, forbiddenMessage(attributes));
      return { admitted: false, status: 403, body: forbiddenMessage(attributes) };
    }
    return { admitted: true };
  }
}
