import type http from 'node:http';
import { KubeAgentCache, type AgentFactory } from './kube-agent-cache.js';
import { ApiError } from './kube-api.js';
import { kubeErrorKind } from './kube-errors.js';
import type { Credential, CredentialSource } from './kube-credentials.js';
import type { KubeClientConfig } from './kubeconfig.js';
import type { WatchEvent } from './watch-decoder.js';
import {
  networkError,
  sendOverAgent,
  StaleSocket,
  statusError,
  watchOverAgent,
  type AgentRequest,
} from './agent-requests.js';
import { Http1RequestError } from './http1-pool.js';
import { KubeConnections } from './kube-connections.js';
import { assembleHead, HeaderBlocks } from './request-head.js';

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. /api/v1/namespaces/default/pods/p1/status. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Defaults to application/json; patches name their strategy here. */
  contentType?: string;
  /** Budget for the whole request (default 30 s). */
  timeoutMs?: number;
  /** Abandons the request; it then rejects with ApiError code 0. */
  signal?: AbortSignal;
}

export interface KubeTransportOptions {
  /** Concurrent connections to the API server; further requests queue. */
  maxSockets: number;
  userAgent: string;
  /** Builds the agents instead of Node.js (a proxy's agent, from client-node); unset for direct connections. */
  createAgent?: AgentFactory;
  /**
   * Watches get connections of their own, at most this many, instead of
   * sharing the `maxSockets` pool: a fleet holds one pod watch per node,
   * which would otherwise leave no connection for status patches.
   */
  watchMaxSockets?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * HTTP to one API server over a pool of keep-alive connections, JSON in and
 * out. The Node.js client library builds a new agent, TLS context and
 * connection for every request; at hundreds of status patches a second that
 * costs a full TLS handshake each, and memory that the allocator never
 * returns. Here requests go over an Http1Pool (KubeConnections) and the
 * watch over one keep-alive agent (KubeAgentCache), each reused for as long
 * as the client certificate stays the same; a kubeconfig with a proxy-url
 * has every request go through the agents `options.createAgent` builds.
 *
 * Errors: every failure rejects with ApiError; `code` is the HTTP status, or
 * 0 when there was no answer. A 401 invalidates the credential and the request
 * is tried once more; a request on a reused connection that the server had
 * already closed is retried once.
 */
export class KubeTransport {
  private readonly base: URL;
  private readonly agents: KubeAgentCache;
  /** The watches' own pool (watchMaxSockets), or the shared one. */
  private readonly watchAgents: KubeAgentCache;
  /** Direct connections for requests; undefined when a proxy's agents carry everything. */
  private readonly connections: KubeConnections | undefined;
  /** The pool's header lines, validated once per (authorization, content type). */
  private readonly headerBlocks: HeaderBlocks;

  constructor(
    private readonly config: KubeClientConfig,
    private readonly credentials: CredentialSource,
    private readonly options: KubeTransportOptions,
  ) {
    this.base = new URL(config.server);
    this.agents = new KubeAgentCache(config, options.maxSockets, options.createAgent);
    this.watchAgents =
      options.watchMaxSockets === undefined
        ? this.agents
        : new KubeAgentCache(config, options.watchMaxSockets, options.createAgent);
    this.connections = options.createAgent ? undefined : new KubeConnections(config, options.maxSockets);
    this.headerBlocks = new HeaderBlocks((authorization, contentType) =>
      this.headerValues(authorization, contentType),
    );
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const text = await this.send(req, true);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The answer's body as text, unparsed (for callers that read a field or two of a large answer). */
  requestText(req: KubeRequest): Promise<string> {
    return this.send(req, true);
  }

  /**
   * Runs a watch request and calls `onEvent` for each event, in order. Resolves
   * when the server ends the stream (its timeoutSeconds) or `signal` aborts;
   * rejects with ApiError when the request fails or the stream breaks. An
   * ERROR event is delivered to `onEvent` like any other.
   */
  async watch(
    path: string,
    query: Record<string, QueryValue>,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const credential = await this.credentialOrThrow();
    const agent = await this.agentOrThrow(credential, this.watchAgents);
    if (signal.aborted) return;
    const request = this.agentRequest(
      'GET',
      path,
      { ...query, watch: true },
      credential,
      agent,
      undefined,
      undefined,
    );
    return watchOverAgent(request, onEvent, signal, () => this.credentials.invalidate());
  }

  /** Closes every pooled connection; requests after this open new ones. */
  close(): void {
    this.agents.close();
    if (this.watchAgents !== this.agents) this.watchAgents.close();
    this.connections?.close();
  }

  private async send(req: KubeRequest, retryOn401: boolean, retriedReset = false): Promise<string> {
    const credential = await this.credentialOrThrow();
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const contentType = body === undefined ? undefined : (req.contentType ?? 'application/json');
    try {
      if (this.connections) return await this.sendDirect(req, credential, body, contentType);
      const agent = await this.agentOrThrow(credential);
      const request = this.agentRequest(
        req.method,
        req.path,
        req.query,
        credential,
        agent,
        body,
        contentType,
      );
      return await sendOverAgent(
        { ...request, signal: req.signal },
        req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        retriedReset,
      );
    } catch (err) {
      if (err instanceof StaleSocket) return this.send(req, retryOn401, true);
      if (kubeErrorKind(err) === 'unauthenticated' && retryOn401) {
        this.credentials.invalidate();
        return this.send(req, false, retriedReset);
      }
      throw err;
    }
  }

  /** One request over the pool: rejects with StaleSocket (retried once) or ApiError, as the agent path does. */
  private async sendDirect(
    req: KubeRequest,
    credential: Credential,
    body: string | undefined,
    contentType: string | undefined,
  ): Promise<string> {
    const pool = this.connections!.pool(credential);
    const url = this.url(req.path, req.query);
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const lines = this.headerBlocks.get(credential.authorization, contentType);
    const head = assembleHead(req.method, url.pathname + url.search, url.host, lines, payload?.length);
    let res;
    try {
      res = await pool.request({
        head,
        body: payload,
        timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: req.signal,
      });
    } catch (err) {
      if (err instanceof Http1RequestError && err.staleConnection) throw new StaleSocket();
      throw networkError(err as Error);
    }
    const text = res.body.toString('utf8');
    if (res.statusCode >= 200 && res.statusCode < 300) return text;
    throw statusError(res.statusCode, text);
  }

  private async credentialOrThrow(): Promise<Credential> {
    try {
      return await this.credentials.get();
    } catch (err) {
      throw new ApiError(0, `no credential for the API server: ${(err as Error).message}`);
    }
  }

  private async agentOrThrow(credential: Credential, agents = this.agents): Promise<http.Agent> {
    try {
      return await agents.get(credential);
    } catch (err) {
      throw new ApiError(0, `no connection to the API server: ${(err as Error).message}`);
    }
  }

  private agentRequest(
    method: string,
    path: string,
    query: Record<string, QueryValue> | undefined,
    credential: Credential,
    agent: http.Agent,
    body: string | undefined,
    contentType: string | undefined,
  ): AgentRequest {
    return {
      url: this.url(path, query),
      method,
      headers: this.headers(credential, contentType),
      agent,
      body,
    };
  }

  private url(path: string, query: Record<string, QueryValue> | undefined): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private headers(credential: Credential, contentType: string | undefined): http.OutgoingHttpHeaders {
    return this.headerValues(credential.authorization, contentType);
  }

  /** Every header but Host and Content-Length, in the order they are sent. */
  private headerValues(
    authorization: string | undefined,
    contentType: string | undefined,
  ): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      Accept: 'application/json',
      'User-Agent': this.options.userAgent,
      ...this.config.impersonationHeaders,
    };
    if (authorization) headers['Authorization'] = authorization;
    if (contentType) headers['Content-Type'] = contentType;
    return headers;
  }
}
