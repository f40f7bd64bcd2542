import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { HttpGetAction__Output } from '../../generated/vkcmd/runner/v1/HttpGetAction.js';
import { connectionErrorMessage, dialErrorMessage, joinHostPort } from './go-net-errors.js';
import type { ProbeOutcome } from './probe-worker.js';
import { DEFAULT_PROBE_HOST } from './tcp-probe.js';

/** The Kubernetes minor version the user agent names (kube-probe/1.33), as the emulated kubelet. */
export const KUBE_VERSION = '1.33';
/** The kubelet reads at most this much of a probe's response body. */
export const MAX_BODY_BYTES = 10 * 1024;
const MAX_REDIRECTS = 10;

/** A GET as NewRequestForHTTPGetAction builds it. */
export interface HttpGetRequest {
  url: URL;
  headers: OutgoingHttpHeaders;
}

/**
 * The request of an httpGet action (pkg/probe/http/request.go): scheme
 * lower-cased (http by default), the host or 127.0.0.1, the path parsed as
 * a URL reference, the spec's headers (repeated names kept), User-Agent
 * kube-<purpose>/1.33 and an Accept of any type unless set (an empty Accept removes
 * it), Host taken from a Host header. Pure.
 */
export function httpGetRequest(
  action: HttpGetAction__Output,
  purpose: 'probe' | 'lifecycle',
): HttpGetRequest {
  const scheme = (action.scheme || 'HTTP').toLowerCase();
  const host = action.host || DEFAULT_PROBE_HOST;
  const base = `${scheme}://${joinHostPort(host, action.port)}`;
  let url: URL;
  try {
    url = new URL(action.path || '/', `${base}/`);
  } catch {
    url = new URL(`${base}/`);
  }
  const headers: Record<string, string | string[]> = {};
  const names = new Map<string, string>();
  for (const h of action.headers) {
    const key = names.get(h.name.toLowerCase()) ?? h.name;
    names.set(h.name.toLowerCase(), key);
    const prev = headers[key];
    headers[key] = prev === undefined ? h.value : [...(Array.isArray(prev) ? prev : [prev]), h.value];
  }
  if (!names.has('user-agent')) headers['User-Agent'] = `kube-${purpose}/${KUBE_VERSION}`;
  const accept = names.get('accept');
  if (accept === undefined) headers['Accept'] = '*/*';
  else if (headers[accept] === '') delete headers[accept];
  headers['Connection'] = 'close';
  return { url, headers };
}

/** A response as far as the prober reads it. */
interface Response {
  status: number;
  body: string;
}

/**
 * One probe GET with the kubelet's client (keep-alives off, TLS not
 * verified, same-host redirects followed up to 10, a redirect to another
 * host not followed), the whole exchange bounded by `timeoutMs`. Resolves
 * to the response or to Go's words for what went wrong.
 */
export function doHttpGet(req: HttpGetRequest, timeoutMs: number): Promise<Response | { error: string }> {
  return new Promise((resolve) => {
    let done = false;
    let current: http.ClientRequest | undefined;
    let url = req.url;
    let stage = 'awaiting headers';
    const finish = (value: Response | { error: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      current?.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => {
      const why =
        stage === 'awaiting headers'
          ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
          : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)';
      finish({ error: `Get "${url.href}": ${why}` });
    }, timeoutMs);
    const send = (redirects: number): void => {
      const client = url.protocol === 'https:' ? https : http;
      current = client.request(url, {
        method: 'GET',
        headers: req.headers,
        agent: false,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      });
      current.on('error', (err) => {
        const host = url.hostname.replace(/^\[|\]$/g, '');
        const hostPort = joinHostPort(host, Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
        const connected = (current?.socket as { connecting?: boolean } | undefined)?.connecting === false;
        const detail = connected ? connectionErrorMessage(err) : dialErrorMessage(hostPort, host, err);
        finish({ error: `Get "${url.href}": ${detail}` });
      });
      current.on('response', (res: IncomingMessage) => {
        const location = res.headers.location;
        if (res.statusCode !== undefined && isRedirect(res.statusCode) && location) {
          let next: URL | undefined;
          try {
            next = new URL(location, url);
          } catch {
            next = undefined;
          }
          if (next && next.hostname === req.url.hostname) {
            res.resume();
            if (redirects + 1 >= MAX_REDIRECTS) {
              finish({ error: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` });
              return;
            }
            current?.destroy();
            url = next;
            send(redirects + 1);
            return;
          }
        }
        stage = 'reading body';
        readBody(res, (body) => finish({ status: res.statusCode ?? 0, body }));
      });
      current.end();
    };
    send(0);
  });
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function readBody(res: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    done(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'));
  };
  res.on('data', (chunk: Buffer) => {
    if (size >= MAX_BODY_BYTES) return;
    chunks.push(chunk);
    size += chunk.length;
    // Non-fatal truncation, as the kubelet's: the rest is not read.
    if (size >= MAX_BODY_BYTES) {
      end();
      res.destroy();
    }
  });
  res.on('end', end);
  res.on('error', end);
  res.on('close', end);
}

/** Each probe's request, built once: a probe's action object lives as long as its pod's spec. */
const probeRequests = new WeakMap<HttpGetAction__Output, HttpGetRequest>();

/**
 * pkg/probe/http DoHTTPProbe: 200-299 is a success (the body is the
 * output), 300-399 (a redirect it did not follow) a warning, anything else
 * a failure worded `HTTP probe failed with statuscode: N`; a transport
 * error is a failure with Go's error text.
 */
export async function httpProbe(action: HttpGetAction__Output, timeoutMs: number): Promise<ProbeOutcome> {
  let req = probeRequests.get(action);
  if (!req) probeRequests.set(action, (req = httpGetRequest(action, 'probe')));
  const res = await doHttpGet(req, timeoutMs);
  if ('error' in res) return { kind: 'failure', output: res.error };
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) {
      return { kind: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
    }
    return { kind: 'success', output: res.body };
  }
  return { kind: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
}
