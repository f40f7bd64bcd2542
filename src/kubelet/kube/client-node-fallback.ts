import http from 'node:http';
import type https from 'node:https';
import path from 'node:path';
// Types only: the library itself is imported on demand, so a kubeconfig that does not need it costs nothing.
import type * as ClientNode from '@kubernetes/client-node';
import type { AgentFactory, KubeAgentOptions } from './kube-agent-cache.js';
import { CachedCredential, type CredentialSource } from './kube-credentials.js';
import type { ClientNodeFallbackConfig } from './kubeconfig.js';

/**
 * What @kubernetes/client-node supplies for a kubeconfig our loader cannot
 * fully serve; the rest (TLS material, impersonation, the keep-alive
 * transport, the informer) stays ours.
 */
export interface ClientNodeFallback {
  /** The Authorization header of an auth-provider plugin; undefined when ours covers the user. */
  credentials: CredentialSource | undefined;
  /** Agents that go through the cluster's proxy-url; undefined for direct connections. */
  createAgent: AgentFactory | undefined;
}

/** How long an auth-provider's header is reused when it carries no expiry (a token file is re-read as often). */
export const AUTH_PROVIDER_CACHE_MS = 60_000;
/** A JWT is asked for again this long before it expires, so a refresh happens before the API server refuses it. */
const JWT_EXPIRY_MARGIN_MS = 10_000;
/** Near or past its expiry, a token client-node still hands out is reused this long between asks. */
const MIN_CACHE_MS = 1_000;

type ClientNodeModule = typeof ClientNode;

/**
 * Loads @kubernetes/client-node (a dynamic import, about 50 MB of RSS; see
 * docs/decisions/0001-kube-client.md) and the kubeconfig into it. Rejects when the
 * library cannot be loaded or refuses the kubeconfig.
 */
export async function loadClientNodeFallback(
  config: ClientNodeFallbackConfig,
  importClientNode: () => Promise<ClientNodeModule> = () => import('@kubernetes/client-node'),
  nowMs: () => number = Date.now,
): Promise<ClientNodeFallback> {
  const { KubeConfig } = await importClientNode();
  const kc = new KubeConfig();
  kc.loadFromString(config.kubeconfigText);
  kc.makePathsAbsolute(path.dirname(path.resolve(config.filePath)));
  kc.setCurrentContext(config.contextName);
  const provider = config.authProvider;
  return {
    credentials:
      provider === undefined
        ? undefined
        : new CachedCredential(nowMs, async () => {
            // The plugin caches and refreshes its token itself (OIDC: with the refresh token once expired).
            const opts: https.RequestOptions = {};
            try {
              await kc.applyToHTTPSOptions(opts);
            } catch (err) {
              throw new Error(`auth-provider ${provider}: ${(err as Error).message}${hint(provider)}`, {
                cause: err,
              });
            }
            const authorization = headerValue(opts.headers, 'authorization');
            if (!authorization) {
              throw new Error(`auth-provider ${provider} gave no token${hint(provider)}`);
            }
            return {
              credential: { authorization, certPem: undefined, keyPem: undefined },
              expiresAtMs: authProviderCacheUntilMs(authorization, nowMs()),
            };
          }),
    createAgent:
      config.proxyUrl === undefined
        ? undefined
        : async (options) => {
            // client-node fills in the kubeconfig's TLS material where it has some; ours (an exec plugin's
            // certificate) stays otherwise. It builds an agent for the proxy's scheme (http, https, socks).
            const opts: https.RequestOptions = { ...options };
            await kc.applyToHTTPSOptions(opts);
            if (!(opts.agent instanceof http.Agent))
              throw new Error('client-node built no agent for the proxy');
            return withPool(opts.agent, options);
          },
  };
}

/**
 * client-node copies only TLS settings into the agents it builds, so they
 * would open a connection (and a CONNECT through the proxy) per request. The
 * pool settings are set on the agent as Node's Agent constructor sets them;
 * Node reads them per request.
 */
function withPool(agent: http.Agent, options: KubeAgentOptions): http.Agent {
  return Object.assign(agent, {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxFreeSockets,
    scheduling: options.scheduling ?? 'lifo',
  });
}

/**
 * client-node 1.4 (and 2.0) cannot refresh an expired OIDC id-token: it hands
 * openid-client 6 the issuer as a string where a URL is required
 * (kubernetes-client/javascript#2202).
 */
function hint(provider: string): string {
  return provider === 'oidc'
    ? ' (an expired OIDC id-token cannot be refreshed through @kubernetes/client-node: ' +
        'renew the kubeconfig, or use an exec plugin such as kubelogin)'
    : '';
}

function headerValue(headers: https.RequestOptions['headers'], name: string): string | undefined {
  if (!headers || Array.isArray(headers)) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * Until when an auth-provider's Authorization header is reused: a minute, or
 * until shortly before the bearer JWT's `exp` when that comes sooner, but
 * at least a second (a token past its expiry is what the plugin hands out
 * until it can refresh; the API server's 401 then invalidates the cache).
 */
export function authProviderCacheUntilMs(authorization: string, nowMs: number): number {
  const fallbackMs = nowMs + AUTH_PROVIDER_CACHE_MS;
  const expSeconds = jwtExpirySeconds(authorization.replace(/^Bearer\s+/i, ''));
  if (expSeconds === undefined) return fallbackMs;
  return Math.max(nowMs + MIN_CACHE_MS, Math.min(fallbackMs, expSeconds * 1000 - JWT_EXPIRY_MARGIN_MS));
}

/** The `exp` claim of a JWT (unverified: the API server verifies it), or undefined. */
function jwtExpirySeconds(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}
