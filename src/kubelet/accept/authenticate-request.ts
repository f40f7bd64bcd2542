import type { Logger } from '../../common/logger.js';
import { RUNNER_VERSION_HEADER } from '../../common/dial-in.js';
import {
  checkRequestShape,
  presentedCredential,
  type DialInRequest,
  type PeerCertificateView,
} from './dial-in-request.js';
import type { RequestHead } from './request-head.js';
import { decideGrant, type TokenGrant } from './runner-grants.js';

/** A runner's upgrade request, authenticated and granted (a claim or a leave), or refused with why. */
export type RequestVerdict =
  | { kind: 'refuse'; status: number; reason: string; node: string | undefined }
  | { kind: 'granted'; request: DialInRequest; leaving: boolean; requested: string };

/**
 * Decides on a complete upgrade request: its shape, then its credential
 * (the bearer token, or the client certificate when a client CA is set)
 * against the token lines and the node name it asks for. The tokens file is
 * read here; a failure to read it refuses with 503 and is logged.
 */
export function authenticateRequest(
  head: RequestHead,
  /** The client certificate, read only when a client CA is set. */
  peer: () => PeerCertificateView | undefined,
  remoteAddress: string,
  o: { grants: () => readonly TokenGrant[]; clientCaPem?: unknown; logger: Logger },
): RequestVerdict {
  const shape = checkRequestShape(head);
  if (shape.kind === 'refuse')
    return { kind: 'refuse', status: shape.status, reason: shape.reason, node: shape.node };
  const requested = shape.node;
  let grants: readonly TokenGrant[];
  try {
    grants = o.grants();
  } catch (err) {
    o.logger.error({ err }, 'Cannot read the runner tokens file');
    return {
      kind: 'refuse',
      status: 503,
      reason: 'the kubelet cannot read its tokens file',
      node: requested,
    };
  }
  const decision = decideGrant(
    presentedCredential(head.headers.get('authorization'), o.clientCaPem === undefined ? undefined : peer()),
    requested,
    grants,
  );
  if (!decision.granted)
    return { kind: 'refuse', status: decision.status, reason: decision.reason, node: requested };
  return {
    kind: 'granted',
    leaving: shape.kind === 'leave',
    requested,
    request: {
      nodeName: decision.nodeName,
      remoteAddress,
      credential: decision.credential,
      runnerVersion: head.headers.get(RUNNER_VERSION_HEADER),
    },
  };
}
