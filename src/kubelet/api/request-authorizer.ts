import { TtlCache } from './ttl-cache.js';
import type { UserInfo } from './request-authenticator.js';

/** What a SubjectAccessReview asks: may `user` do `verb` on nodes/<subresource> named `name`? */
export interface AccessAttributes {
  user: UserInfo;
  verb: string;
  apiVersion: 'v1';
  resource: 'nodes';
  subresource: string;
  name: string;
}

export interface AccessDecision {
  allowed: boolean;
  reason: string;
}

/**
 * Asks the cluster for an authorisation decision (SubjectAccessReview).
 * Rejects only when the review could not be made.
 */
export interface AccessReviewer {
  review(attributes: AccessAttributes): Promise<AccessDecision>;
}

const VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

// Same test as the kubelet: the path is the prefix itself or continues with '/'.
function isSubpath(path: string, prefix: string): boolean {
  const base = prefix.replace(/\/+$/, '');
  return path === base || (path.startsWith(base) && path[base.length] === '/');
}

/**
 * The attributes a 1.33 kubelet checks for a request, in order; the first
 * allowed one admits it. Resource `nodes`, the node's name, the verb from the
 * HTTP method. With KubeletFineGrainedAuthz (beta, on by default in 1.33)
 * `/pods` and `/runningpods/` are first checked as nodes/pods and `/healthz`
 * as nodes/healthz; then (or only) the coarse subresource: `/stats/*` ->
 * stats, `/metrics*` -> metrics, `/logs/*` -> log, anything else -> proxy.
 * Pure.
 */
export function requestAttributes(
  user: UserInfo,
  method: string,
  path: string,
  nodeName: string,
): AccessAttributes[] {
  const subresources: string[] = [];
  if (isSubpath(path, '/pods') || isSubpath(path, '/runningpods/')) subresources.push('pods');
  else if (isSubpath(path, '/healthz')) subresources.push('healthz');
  if (isSubpath(path, '/stats/')) subresources.push('stats');
  else if (isSubpath(path, '/metrics')) subresources.push('metrics');
  else if (isSubpath(path, '/logs/')) subresources.push('log');
  else subresources.push('proxy');
  return subresources.map((subresource) => ({
    user,
    verb: VERBS[method] ?? '',
    apiVersion: 'v1',
    resource: 'nodes',
    subresource,
    name: nodeName,
  }));
}

/**
 * The body of a kubelet's 403, e.g. `Forbidden (user=u, verb=get,
 * resource=nodes, subresource(s)=[healthz proxy])`: every subresource tried.
 */
export function forbiddenMessage(attributes: readonly AccessAttributes[]): string {
  const first = attributes[0];
  const subresources = attributes.map((a) => a.subresource).join(' ');
  return (
    `Forbidden (user=${first?.user.name ?? ''}, verb=${first?.verb ?? ''}, ` +
    `resource=${first?.resource ?? ''}, subresource(s)=[${subresources}])`
  );
}

/** The body of a kubelet's 500 when a review itself failed. */
export function authorizationErrorMessage(attributes: AccessAttributes): string {
  return (
    `Authorization error (user=${attributes.user.name}, verb=${attributes.verb}, ` +
    `resource=${attributes.resource}, subresource=${attributes.subresource})`
  );
}

/** A SubjectAccessReview could not be made; `attributes` names the check that failed. */
export class AuthorizationReviewError extends Error {
  constructor(
    readonly attributes: AccessAttributes,
    cause: unknown,
  ) {
    super(authorizationErrorMessage(attributes), { cause });
    this.name = 'AuthorizationReviewError';
  }
}

export interface RequestAuthorizerOptions {
  mode: 'Webhook' | 'AlwaysAllow';
  reviewer: AccessReviewer;
  nowMs: () => number;
  /** A kubelet's webhook defaults: allowed 5 min, denied 30 s. */
  allowedTtlMs?: number;
  deniedTtlMs?: number;
}

function cacheKey(a: AccessAttributes): string {
  const extra = Object.entries(a.user.extra ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify([
    a.user.name,
    a.user.uid ?? '',
    [...a.user.groups].sort(),
    extra,
    a.verb,
    a.subresource,
    a.name,
  ]);
}

/**
 * Decides whether an authenticated user may make a request. With mode
 * AlwaysAllow everything is allowed; with Webhook a SubjectAccessReview is
 * made per attribute set and its answer cached. Failed reviews are not cached.
 */
export class RequestAuthorizer {
  private readonly cache: TtlCache<AccessDecision>;
  private readonly allowedTtlMs: number;
  private readonly deniedTtlMs: number;

  constructor(private readonly options: RequestAuthorizerOptions) {
    this.cache = new TtlCache(options.nowMs);
    this.allowedTtlMs = options.allowedTtlMs ?? 300_000;
    this.deniedTtlMs = options.deniedTtlMs ?? 30_000;
  }

  /**
   * Checks the attributes in order and allows on the first allowed one, as
   * the kubelet's auth filter does. Rejects with AuthorizationReviewError when
   * a review could not be made.
   */
  async authorize(attributes: readonly AccessAttributes[]): Promise<AccessDecision> {
    let denied: AccessDecision = { allowed: false, reason: 'no attributes' };
    for (const a of attributes) {
      let decision: AccessDecision;
      try {
        decision = await this.decide(a);
      } catch (err) {
        throw new AuthorizationReviewError(a, err);
      }
      if (decision.allowed) return decision;
      denied = decision;
    }
    return denied;
  }

  private async decide(attributes: AccessAttributes): Promise<AccessDecision> {
    if (this.options.mode === 'AlwaysAllow') return { allowed: true, reason: 'AlwaysAllow' };
    const key = cacheKey(attributes);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const decision = await this.options.reviewer.review(attributes);
    this.cache.set(key, decision, decision.allowed ? this.allowedTtlMs : this.deniedTtlMs);
    return decision;
  }
}
