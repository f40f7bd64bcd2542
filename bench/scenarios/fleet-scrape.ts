import https from 'node:https';
import { parseSamples } from '../prom-text.js';

/** Each scrape of a node's /metrics: at most this long (a kubelet API port that hangs costs no more). */
export const SCRAPE_TIMEOUT_MS = 5_000;

/** A node's kubelet API port, from its Node's daemonEndpoints. */
export interface ScrapeTarget {
  node: string;
  port: number;
}

/** What one scrape of every node read: the metric's sum per node that answered, and those that did not. */
export interface NodeScrape {
  values: Map<string, number>;
  /** Nodes that did not answer within the timeout, answered an error, or were cut off by the abort. */
  unanswered: string[];
  /** The first few reasons, for the warning. */
  errors: string[];
  /** The metric summed over the nodes that answered, by its verb and resource labels ("verb resource"). */
  byKind: Map<string, number>;
}

/** Fetches one node's /metrics body; rejects on a non-200 answer, the timeout or the abort. */
export type MetricsFetch = (port: number, signal: AbortSignal) => Promise<string>;

/** How a scrape of many nodes is bounded. */
export interface ScrapeLimits {
  /** Scrapes under way at once. */
  concurrency: number;
  /** Each node's scrape, from its request to its whole body. */
  timeoutMs: number;
  /** Ends every scrape under way and starts no more (those nodes count as unanswered). */
  signal?: AbortSignal;
}

/**
 * Scrapes `metric` from every target, `concurrency` at a time, each bounded
 * by `timeoutMs` and by `signal`: a node that hangs costs at most the
 * timeout and is counted as unanswered, so a scrape of N nodes ends within
 * about ceil(N / concurrency) * timeoutMs. Never rejects.
 */
export async function scrapeNodes(
  targets: readonly ScrapeTarget[],
  metric: string,
  fetch: MetricsFetch,
  limits: ScrapeLimits,
): Promise<NodeScrape> {
  const out: NodeScrape = { values: new Map(), unanswered: [], errors: [], byKind: new Map() };
  // One listener on the outer signal for the whole scrape, not one per node: a node per
  // worker listening on it passed Node's limit of 10 listeners (MaxListenersExceededWarning).
  const active = new Set<AbortController>();
  const onAbort = (): void => {
    for (const own of active) own.abort(limits.signal?.reason);
  };
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const target = targets[next++]!;
      if (limits.signal?.aborted) {
        out.unanswered.push(target.node);
        continue;
      }
      // A timer and a controller of its own: AbortSignal.timeout() joined with AbortSignal.any() can be
      // collected before it fires (nothing holds it strongly), and then the scrape waits for ever.
      const own = new AbortController();
      const timer = setTimeout(
        () => own.abort(new Error(`no answer within ${limits.timeoutMs} ms`)),
        limits.timeoutMs,
      );
      active.add(own);
      const signal = own.signal;
      try {
        const body = await fetch(target.port, signal);
        let sum = 0;
        for (const s of parseSamples(body, metric)) {
          sum += s.value;
          const kind = `${s.labels['verb'] ?? ''} ${s.labels['resource'] ?? ''}`.trim();
          out.byKind.set(kind, (out.byKind.get(kind) ?? 0) + s.value);
        }
        out.values.set(target.node, sum);
      } catch (err) {
        out.unanswered.push(target.node);
        if (out.errors.length < 3) out.errors.push(`${target.node}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
        active.delete(own);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limits.concurrency, targets.length) }, worker));
  } finally {
    limits.signal?.removeEventListener('abort', onAbort);
  }
  return out;
}

/**
 * A signal that aborts after `ms` or with `outer`, whichever first; `done()`
 * clears its timer. Held by the caller, so it cannot be collected before it fires.
 */
export function deadlineSignal(ms: number, outer?: AbortSignal): { signal: AbortSignal; done: () => void } {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new Error(`deadline of ${ms} ms passed`)), ms);
  const onAbort = (): void => own.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: own.signal,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** `promise`, or a rejection once `signal` aborts (the work itself is not cancelled). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A counter's growth summed over the nodes read both times (a node missing
 * from either scrape is left out, not counted as zero). Pure.
 */
export function counterDelta(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): { sum: number; nodes: number } {
  let sum = 0;
  let nodes = 0;
  for (const [node, value] of after) {
    const was = before.get(node);
    if (was === undefined) continue;
    sum += value - was;
    nodes++;
  }
  return { sum, nodes };
}

/** A GET of https://127.0.0.1:PORT/metrics (serving certificate not verified), with the admin client pair. */
export function httpsMetricsFetch(auth: { cert: string; key: string }): MetricsFetch {
  return (port, signal) =>
    new Promise<string>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: '/metrics',
          method: 'GET',
          rejectUnauthorized: false,
          cert: auth.cert,
          key: auth.key,
          agent: false,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            if (res.statusCode === 200) resolve(Buffer.concat(chunks).toString('utf8'));
            else reject(new Error(`HTTP ${res.statusCode ?? 0}`));
          });
        },
      );
      req.on('error', reject);
      // Whatever phase the request is in (connecting, TLS, a body that stalls), the abort ends the wait.
      signal.addEventListener('abort', () => reject(new Error(`no answer: ${String(signal.reason)}`)), {
        once: true,
      });
      req.end();
    });
}

/** Each kind's growth between two scrapes (kinds seen only after count from 0). Pure. */
export function kindDelta(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, value] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    out[kind] = value - (before.get(kind) ?? 0);
  }
  return out;
}
