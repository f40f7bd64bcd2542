import { createHash } from 'node:crypto';
import { TtlCache } from './ttl-cache.js';

/** An authenticated caller, as Kubernetes' user.Info. */
export interface UserInfo {
  name: string;
  uid: string | undefined;
  groups: string[];
  extra: Record<string, string[]> | undefined;
}

/** The outcome of a TokenReview. */
export interface TokenReviewResult {
  authenticated: boolean;
  user: UserInfo | undefined;
  /** Why the token was refused, for logs. */
  error: string | undefined;
}

/**
 * Asks the cluster whether a bearer token is valid (TokenReview). Rejects only
 * when the review itself could not be made; a refused token resolves with
 * `authenticated: false`.
 */
export interface TokenReviewer {
  review(token: string): Promise<TokenReviewResult>;
}

/** What the TLS layer tells about the client certificate of a connection. */
export interface ClientCertificateInfo {
  /** The client sent a certificate. */
  presented: boolean;
  /** It chains to the client CA and is valid now. */
  verified: boolean;
  /** Subject CN and O values (Node gives a string, or an array when repeated). */
  commonName: string | string[] | undefined;
  organization: string | string[] | undefined;
  verifyError: string | undefined;
}

export type AuthenticationResult =
  | { authenticated: true; user: UserInfo; method: 'x509' | 'token' | 'anonymous' }
  | { authenticated: false; reason: string };

export const ANONYMOUS_USER: UserInfo = {
  name: 'system:anonymous',
  uid: undefined,
  groups: ['system:unauthenticated'],
  extra: undefined,
};

const AUTHENTICATED_GROUP = 'system:authenticated';

function values(field: string | string[] | undefined): string[] {
  if (field === undefined) return [];
  return Array.isArray(field) ? field : [field];
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/**
 * The user a verified client certificate names: CN is the user, each O a group,
 * as Kubernetes' x509 authenticator does. Undefined when there is no usable CN.
 */
export function userFromClientCertificate(cert: ClientCertificateInfo): UserInfo | undefined {
  const name = values(cert.commonName)[0];
  if (!cert.verified || !name) return undefined;
  return withAuthenticatedGroup({
    name,
    uid: undefined,
    groups: values(cert.organization),
    extra: undefined,
  });
}

/** The token of an `Authorization: Bearer <token>` header, or undefined, as Kubernetes reads it. */
export function bearerToken(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const parts = value.split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

export interface RequestAuthenticatorOptions {
  tokenReviewer: TokenReviewer;
  anonymousAuth: boolean;
  nowMs: () => number;
  /** How long a valid token's user is remembered (a kubelet's webhook cache: 2 min). */
  tokenSuccessTtlMs?: number;
  /** How long a refused token stays refused without asking again. */
  tokenFailureTtlMs?: number;
}

/**
 * Identifies the caller of one request the way a kubelet does: a verified
 * client certificate first, then a bearer token checked with TokenReview, then
 * anonymous when enabled. Presenting a credential that fails (an unverified
 * certificate, a refused token) is a 401 even with anonymous access enabled.
 * Caches TokenReview answers by token hash; never logs or stores raw tokens.
 */
export class RequestAuthenticator {
  private readonly tokenCache: TtlCache<TokenReviewResult>;
  private readonly inflight = new Map<string, Promise<TokenReviewResult>>();
  private readonly successTtlMs: number;
  private readonly failureTtlMs: number;

  constructor(private readonly options: RequestAuthenticatorOptions) {
    this.tokenCache = new TtlCache(options.nowMs);
    this.successTtlMs = options.tokenSuccessTtlMs ?? 120_000;
    this.failureTtlMs = options.tokenFailureTtlMs ?? 10_000;
  }

  async authenticate(request: {
    cert: ClientCertificateInfo | undefined;
    authorization: string | undefined;
  }): Promise<AuthenticationResult> {
    const failures: string[] = [];
    if (request.cert?.presented) {
      const user = userFromClientCertificate(request.cert);
      if (user) return { authenticated: true, user, method: 'x509' };
      failures.push(`client certificate not accepted: ${request.cert.verifyError ?? 'no common name'}`);
    }
    const token = bearerToken(request.authorization);
    if (token !== undefined) {
      const review = await this.reviewToken(token);
      if (review.authenticated && review.user) {
        return { authenticated: true, user: withAuthenticatedGroup(review.user), method: 'token' };
      }
      failures.push(`token not accepted: ${review.error ?? 'not authenticated'}`);
    }
    if (failures.length > 0) return { authenticated: false, reason: failures.join('; ') };
    if (this.options.anonymousAuth) return { authenticated: true, user: ANONYMOUS_USER, method: 'anonymous' };
    return { authenticated: false, reason: 'no credentials and anonymous access is disabled' };
  }

  private async reviewToken(token: string): Promise<TokenReviewResult> {
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.tokenCache.get(key);
    if (cached) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.options.tokenReviewer
        .review(token)
        .then((result) => {
          this.tokenCache.set(key, result, result.authenticated ? this.successTtlMs : this.failureTtlMs);
          return result;
        })
        // A review that could not be made is a refusal now, not a cached one.
        .catch((err: unknown) => ({
          authenticated: false,
          user: undefined,
          error: `token review failed: ${err instanceof Error ? err.message : String(err)}`,
        }))
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }
}
