import http from 'node:http';
import https from 'node:https';
import { KubeAgentCache, type AgentFactory } from './kube-agent-cache.js';
import { errnoCode } from '../../common/errors.js';
import { ApiError } from './kube-api.js';
import { kindForHttpStatus, kubeErrorKind } from './kube-errors.js';
import type { Credential, CredentialSource } from './kube-credentials.js';
import type { KubeClientConfig } from './kubeconfig.js';
import { WatchDecoder, type WatchEvent } from './watch-decoder.js';

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
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * HTTP to one API server over a pool of keep-alive connections, JSON in and
 * out. The Node.js client library builds a new agent, TLS context and
 * connection for every request; at hundreds of status patches a second that
 * costs a full TLS handshake each, and memory that the allocator never
 * returns. Here one agent is reused for as long as the client certificate
 * stays the same (KubeAgentCache); a kubeconfig with a proxy-url has its
 * agents built by `options.createAgent`.
 *
 * Errors: every failure rejects with ApiError; `code` is the HTTP status, or
 * 0 when there was no answer. A 401 invalidates the credential and the request
 * is tried once more; a request on a reused connection that the server had
 * already closed is retried once.
 */
export class KubeTransport {
  private readonly base: URL;
  private readonly agents: KubeAgentCache;

  constructor(
    private readonly config: KubeClientConfig,
    private readonly credentials: CredentialSource,
    private readonly options: KubeTransportOptions,
  ) {
    this.base = new URL(config.server);
    this.agents = new KubeAgentCache(config, options.maxSockets, options.createAgent);
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const text = await this.send(req, true);
    return (text === '' ? undefined : JSON.parse(text)) as T;
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
    const agent = await this.agentOrThrow(credential);
    if (signal.aborted) return;
    return new Promise<void>((resolve, reject) => {
      const decoder = new WatchDecoder();
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const deliver = (events: WatchEvent[]): void => {
        for (const e of events) onEvent(e);
      };
      const req = this.open('GET', path, { ...query, watch: true }, credential, agent, undefined, undefined);
      const onAbort = (): void => {
        req.destroy();
        finish();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => finish(signal.aborted ? undefined : networkError(err)));
      req.on('response', (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          void readBody(res).then((body) => {
            if (kindForHttpStatus(res.statusCode ?? 0) === 'unauthenticated') this.credentials.invalidate();
            finish(statusError(res.statusCode ?? 0, body));
          }, finish);
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          try {
            deliver(decoder.push(chunk));
          } catch (err) {
            req.destroy();
            finish(new ApiError(0, (err as Error).message));
          }
        });
        res.on('end', () => {
          try {
            deliver(decoder.end());
            finish();
          } catch (err) {
            finish(new ApiError(0, (err as Error).message));
          }
        });
        res.on('aborted', () => finish(signal.aborted ? undefined : new ApiError(0, 'watch stream broke')));
      });
      req.end();
    });
  }

  /** Closes every pooled connection; requests after this open new ones. */
  close(): void {
    this.agents.close();
  }

  private async send(req: KubeRequest, retryOn401: boolean, retriedReset = false): Promise<string> {
    const credential = await this.credentialOrThrow();
    const agent = await this.agentOrThrow(credential);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const contentType = body === undefined ? undefined : (req.contentType ?? 'application/json');
    try {
      return await new Promise<string>((resolve, reject) => {
        const r = this.open(
          req.method,
          req.path,
          req.query,
          credential,
          agent,
          body,
          contentType,
          req.signal,
        );
        r.setTimeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS, () =>
          r.destroy(new Error(`no answer within ${req.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
        );
        r.on('error', (err) => {
          const retriable = r.reusedSocket && errnoCode(err) === 'ECONNRESET';
          reject(retriable && !retriedReset ? new StaleSocket() : networkError(err));
        });
        r.on('response', (res) => {
          readBody(res).then((text) => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(text);
            else reject(statusError(status, text));
          }, reject);
        });
        r.end(body);
      });
    } catch (err) {
      if (err instanceof StaleSocket) return this.send(req, retryOn401, true);
      if (kubeErrorKind(err) === 'unauthenticated' && retryOn401) {
        this.credentials.invalidate();
        return this.send(req, false, retriedReset);
      }
      throw err;
    }
  }

  private async credentialOrThrow(): Promise<Credential> {
    try {
      return await this.credentials.get();
    } catch (err) {
      throw new ApiError(0, `no credential for the API server: ${(err as Error).message}`);
    }
  }

  private async agentOrThrow(credential: Credential): Promise<http.Agent> {
    try {
      return await this.agents.get(credential);
    } catch (err) {
      throw new ApiError(0, `no connection to the API server: ${(err as Error).message}`);
    }
  }

  private open(
    method: string,
    path: string,
    query: Record<string, QueryValue> | undefined,
    credential: Credential,
    agent: http.Agent,
    body: string | undefined,
    contentType: string | undefined,
    signal?: AbortSignal,
  ): http.ClientRequest {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: http.OutgoingHttpHeaders = {
      Accept: 'application/json',
      'User-Agent': this.options.userAgent,
      ...this.config.impersonationHeaders,
    };
    if (credential.authorization) headers['Authorization'] = credential.authorization;
    if (contentType) headers['Content-Type'] = contentType;
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const options: http.RequestOptions = { method, headers, agent, ...(signal ? { signal } : {}) };
    return url.protocol === 'https:' ? https.request(url, options) : http.request(url, options);
  }
}

/** Marks a request that failed because a pooled connection had been closed by the server. */
class StaleSocket extends Error {}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new ApiError(0, 'connection closed while reading the answer')));
  });
}

function networkError(err: Error): ApiError {
  return new ApiError(0, err.message);
}

/** An ApiError from an error answer; the message is the Status object's when there is one. */
export function statusError(code: number, body: string): ApiError {
  let message = body.trim().slice(0, 500);
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    if (parsed.kind === 'Status' && parsed.message) message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  return new ApiError(code, message || `HTTP ${code}`);
}
