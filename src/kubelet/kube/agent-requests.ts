import http from 'node:http';
import https from 'node:https';
import { errnoCode } from '../../common/errors.js';
import { ApiError } from './kube-api.js';
import { kindForHttpStatus } from './kube-errors.js';
import { WatchDecoder, type WatchEvent } from './watch-decoder.js';

// Requests over Node's agents (a proxy's, and every watch): Node's ClientRequest and IncomingMessage.

/** Marks a request that failed because a pooled connection had been closed by the server. */
export class StaleSocket extends Error {}

export interface AgentRequest {
  url: URL;
  method: string;
  headers: http.OutgoingHttpHeaders;
  agent: http.Agent;
  body: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Opens the request (not ended); Content-Length from the body. */
export function openAgentRequest(req: AgentRequest): http.ClientRequest {
  const headers = { ...req.headers };
  if (req.body !== undefined) headers['Content-Length'] = Buffer.byteLength(req.body);
  const options: http.RequestOptions = {
    method: req.method,
    headers,
    agent: req.agent,
    ...(req.signal ? { signal: req.signal } : {}),
  };
  return req.url.protocol === 'https:' ? https.request(req.url, options) : http.request(req.url, options);
}

/**
 * One request over an agent: the 2xx body as text. Rejects with StaleSocket
 * when a reused connection was reset (unless `retriedReset`), else ApiError.
 */
export function sendOverAgent(req: AgentRequest, timeoutMs: number, retriedReset: boolean): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const r = openAgentRequest(req);
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
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
    r.end(req.body);
  });
}

/**
 * Runs a watch request over an agent, `onEvent` for each event in order.
 * Resolves when the server ends the stream or `signal` aborts; rejects with
 * ApiError when the request fails or the stream breaks. `onUnauthenticated`
 * is called for a 401 answer before the rejection.
 */
export function watchOverAgent(
  req: AgentRequest,
  onEvent: (event: WatchEvent) => void,
  signal: AbortSignal,
  onUnauthenticated: () => void,
): Promise<void> {
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
    const r = openAgentRequest(req);
    const onAbort = (): void => {
      r.destroy();
      finish();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err) => finish(signal.aborted ? undefined : networkError(err)));
    r.on('response', (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        void readBody(res).then((body) => {
          if (kindForHttpStatus(res.statusCode ?? 0) === 'unauthenticated') onUnauthenticated();
          finish(statusError(res.statusCode ?? 0, body));
        }, finish);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          deliver(decoder.push(chunk));
        } catch (err) {
          r.destroy();
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
    r.end();
  });
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new ApiError(0, 'connection closed while reading the answer')));
  });
}

export function networkError(err: Error): ApiError {
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
