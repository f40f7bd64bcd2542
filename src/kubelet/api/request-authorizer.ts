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
 * The attributes a kubelet checks for a request: resource `nodes`, the node's
 * name, the verb from the HTTP method, and the subresource from the path
 * (`/stats/*` -> stats, `/metrics*` -> metrics, `/logs/*` -> log, anything
 * else -> proxy). Pure.
 */
export function requestAttributes(
  user: UserInfo,
  method: string,
  path: string,
  nodeName: string,
): AccessAttributes {
  let subresource = 'proxy';
  if (isSubpath(path, '/stats/')) subresource = 'stats';
  else if (isSubpath(path, '/metrics')) subresource = 'metrics';
  else if (isSubpath(path, '/logs/')) subresource = 'log';
  return {
    user,
    verb: VERBS[method] ?? '',
    apiVersion: 'v1',
    resource: 'nodes',
    subresource,
    name: nodeName,
  };
}

/** The body of a kubelet's 403, e.g. `Forbidden (user=u, verb=get, resource=nodes, subresource(s)=[metrics])`. */
export function forbiddenMessage(attributes: AccessAttributes): string {
  return (
    `Forbidden (user=${attributes.user.name}, verb=${attributes.verb}, ` +
    `resource=${attributes.resource}, subresource(s)=[${attributes.subresource}])`
  );
}

/** The body of a kubelet's 500 when the review itself failed. */
export function authorizationErrorMessage(attributes: AccessAttributes): string {
  return (
    `Authorization error (user=${attributes.user.name}, verb=${attributes.verb}, ` +
    `resource=${attributes.resource}, subresource(s)=[${attributes.subresource}])`
  );
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
 * made and its answer cached. Rejects when the review could not be made
 * (the caller answers 500); such failures are not cached.
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

  async authorize(attributes: AccessAttributes): Promise<AccessDecision> {
    if (this.options.mode === 'AlwaysAllow') return { allowed: true, reason: 'AlwaysAllow' };
    const key = cacheKey(attributes);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const decision = await this.options.reviewer.review(attributes);
    this.cache.set(key, decision, decision.allowed ? this.allowedTtlMs : this.deniedTtlMs);
    return decision;
  }
}
