import https from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';

interface ListResponse<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

/**
 * Waits until an object matched by `fieldSelector` under `listPath` satisfies
 * `predicate`, using list-then-watch so no state change is missed and nothing
 * is polled. Resolves with the matching object; rejects after `timeoutMs` with
 * the last state seen, which is what a failing test needs to show.
 */
export async function waitForObject<T>(
  kc: KubeConfig,
  listPath: string,
  query: { fieldSelector?: string; labelSelector?: string },
  predicate: (obj: T) => boolean,
  timeoutMs: number,
  description: string,
): Promise<T> {
  let last: T | undefined;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = await listObjects<T>(kc, listPath, query);
    for (const item of list.items) {
      last = item;
      if (predicate(item)) return item;
    }
    const outcome = await new Promise<{ found?: T; expired?: boolean }>((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (value: { found?: T; expired?: boolean }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller?.abort();
        resolve(value);
      };
      const timer = setTimeout(() => finish({ expired: true }), Math.max(0, deadline - Date.now()));
      new Watch(kc)
        .watch(
          listPath,
          {
            ...query,
            resourceVersion: list.metadata?.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.ceil(timeoutMs / 1000) + 5,
          },
          (phase, obj: T) => {
            if (phase === 'BOOKMARK' || phase === 'ERROR') return;
            last = obj;
            if (phase !== 'DELETED' && predicate(obj)) finish({ found: obj });
          },
          // The watch ended (server timeout, compaction): list again.
          () => finish({}),
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch(() => finish({}));
    });
    if (outcome.found) return outcome.found;
    if (outcome.expired) break;
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${description}; last seen:\n${JSON.stringify(last, null, 2)}`,
  );
}

/** Waits until no object matches `fieldSelector` under `listPath`. */
export async function waitForGone(
  kc: KubeConfig,
  listPath: string,
  fieldSelector: string,
  timeoutMs: number,
  description: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = await listObjects<unknown>(kc, listPath, { fieldSelector });
    if (list.items.length === 0) return;
    const gone = await new Promise<boolean>((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (value: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller?.abort();
        resolve(value);
      };
      const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
      new Watch(kc)
        .watch(
          listPath,
          { fieldSelector, resourceVersion: list.metadata?.resourceVersion },
          (phase) => {
            if (phase === 'DELETED') finish(true);
          },
          () => finish(false),
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch(() => finish(false));
    });
    if (gone) return;
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} to be gone`);
}

export async function listObjects<T>(
  kc: KubeConfig,
  listPath: string,
  query: { fieldSelector?: string; labelSelector?: string },
): Promise<ListResponse<T>> {
  const url = new URL('http://placeholder' + listPath);
  if (query.fieldSelector) url.searchParams.set('fieldSelector', query.fieldSelector);
  if (query.labelSelector) url.searchParams.set('labelSelector', query.labelSelector);
  return JSON.parse(await apiRequest(kc, 'GET', url.pathname + url.search)) as ListResponse<T>;
}

/** One request to the API server with the kubeconfig's credentials; rejects on a non-2xx answer. */
export async function apiRequest(
  kc: KubeConfig,
  method: string,
  pathAndQuery: string,
  body?: string,
  timeoutMs = 30_000,
): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server + pathAndQuery);
  const options: https.RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers: body ? { 'content-type': 'application/json' } : {},
    // A fresh connection each time: a pooled one may point at an API server that was restarted.
    agent: false,
    timeout: timeoutMs,
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = https.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve(text);
        else reject(new Error(`${method} ${url.pathname}: ${code} ${text}`));
      });
    });
    req.on('error', reject);
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${url.pathname}: no answer in ${timeoutMs} ms`)),
    );
    req.end(body);
  });
}

/** Resolves when `condition` returns true, checking on each call of `poke` and at `intervalMs`. */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  description: string,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${description}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
