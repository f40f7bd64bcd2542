import type { WireSubjectAccessReview, WireTokenReview } from '../kube/wire-types.js';
import type { KubeTransport } from '../kube/kube-transport.js';
import type { AccessAttributes, AccessDecision, AccessReviewer } from './request-authorizer.js';
import type { TokenReviewer, TokenReviewResult } from './request-authenticator.js';

/** TokenReview (authentication.k8s.io/v1) through the API server; each call is one request. */
export function createKubeTokenReviewer(transport: KubeTransport): TokenReviewer {
  return {
    async review(token: string): Promise<TokenReviewResult> {
      const result = await transport.request<WireTokenReview>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/tokenreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
      const status = result.status;
      const user = status?.user;
      if (!status?.authenticated || !user?.username) {
        return { authenticated: false, user: undefined, error: status?.error || 'token not authenticated' };
      }
      return {
        authenticated: true,
        user: { name: user.username, uid: user.uid, groups: user.groups ?? [], extra: user.extra },
        error: undefined,
      };
    },
  };
}

/** SubjectAccessReview (authorization.k8s.io/v1) through the API server; each call is one request. */
export function createKubeAccessReviewer(transport: KubeTransport): AccessReviewer {
  return {
    async review(a: AccessAttributes): Promise<AccessDecision> {
      const result = await transport.request<WireSubjectAccessReview>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: a.user.name,
            uid: a.user.uid,
            groups: a.user.groups,
            extra: a.user.extra,
            resourceAttributes: {
              verb: a.verb,
              group: '',
              version: a.apiVersion,
              resource: a.resource,
              subresource: a.subresource,
              name: a.name,
            },
          },
        },
      });
      const status = result.status;
      if (status?.evaluationError && !status.allowed) {
        return { allowed: false, reason: `${status.reason ?? ''} (${status.evaluationError})`.trim() };
      }
      return { allowed: status?.allowed === true, reason: status?.reason ?? '' };
    },
  };
}
