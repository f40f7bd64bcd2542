import { createKubeAccessReviewer, createKubeTokenReviewer } from '../api/kube-reviewers.js';
import { RequestAuthenticator } from '../api/request-authenticator.js';
import { RequestAuthorizer } from '../api/request-authorizer.js';
import type { SharedApiOptions } from './node-unit.js';

/**
 * --fleet: one authenticator and one authorizer for every node's kubelet
 * API, so that their caches of TokenReviews and SubjectAccessReviews are
 * shared: a caller (metrics-server, the API server's proxy) reviewed once
 * is known to every node. Parts already shared by the caller are kept.
 */
export function fleetSharedAuth(apiServer: SharedApiOptions): SharedApiOptions['shared'] {
  const nowMs = Date.now;
  return {
    authenticator: new RequestAuthenticator({
      tokenReviewer: apiServer.tokenReviewer ?? createKubeTokenReviewer(apiServer.transport),
      anonymousAuth: apiServer.anonymousAuth,
      nowMs,
    }),
    authorizer: new RequestAuthorizer({
      mode: apiServer.authorizationMode,
      reviewer: apiServer.accessReviewer ?? createKubeAccessReviewer(apiServer.transport),
      nowMs,
    }),
    ...apiServer.shared,
  };
}
