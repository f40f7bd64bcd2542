import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../../../src/kubelet/kube/kube-api.js';
import type { WireEvent, WireLease, WireNode } from '../../../../src/kubelet/kube/wire-types.js';
import type { FakeKubeApi } from './fake-kube-api.js';

/** A kubeconfig for a FakeKubeHttp (plain HTTP) on `port`, with a token the fake ignores. */
export function fakeKubeconfig(port: number): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: fake\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
    'users:',
    '- name: kubelet\n  user:\n    token: fake-token',
    'contexts:',
    '- name: fake\n  context:\n    cluster: fake\n    user: kubelet',
    'current-context: fake',
    '',
  ].join('\n');
}

type Handler = (match: RegExpExecArray, body: unknown, query: URLSearchParams) => Promise<unknown>;

export interface FakeKubeHttpOptions {
  /** Serve HTTPS with this pair instead of plain HTTP. */
  tls?: { certPem: string; keyPem: string };
  /** Answer 401 to every request whose Authorization header is not exactly this. */
  requireAuthorization?: string;
}

/**
 * The FakeKubeApi over HTTP, for a kubelet process started from the command
 * line: the few REST paths the kubelet calls (nodes, node status, leases,
 * pods list and watch, pod status, events, ConfigMaps, Secrets). Errors are
 * answered as metav1.Status. A watch stays open and silent until the client
 * leaves: the tests that use this only look at registration.
 */
export class FakeKubeHttp {
  /** The Authorization header of every request, in order (undefined when there was none). */
  readonly authorizations: Array<string | undefined> = [];
  private readonly server: http.Server;
  private readonly routes: Array<[string, RegExp, Handler]>;

  constructor(
    private readonly api: FakeKubeApi,
    private readonly options: FakeKubeHttpOptions = {},
  ) {
    const lease = '^/apis/coordination\\.k8s\\.io/v1/namespaces/([^/]+)/leases';
    this.routes = [
      ['GET', /^\/api\/v1\/nodes\/([^/]+)$/, (m) => this.found(api.getNode(m[1]!))],
      ['POST', /^\/api\/v1\/nodes$/, (_m, body) => api.createNode(body as WireNode)],
      ['PATCH', /^\/api\/v1\/nodes\/([^/]+)$/, (m, body) => api.patchNode(m[1]!, body as object)],
      [
        'PATCH',
        /^\/api\/v1\/nodes\/([^/]+)\/status$/,
        (m, body) => api.patchNodeStatus(m[1]!, body as object),
      ],
      ['DELETE', /^\/api\/v1\/nodes\/([^/]+)$/, (m) => this.deleted(api.deleteNode(m[1]!))],
      ['GET', new RegExp(`${lease}/([^/]+)$`), (m) => this.found(api.getLease(m[1]!, m[2]!))],
      ['POST', new RegExp(`${lease}$`), (_m, body) => api.createLease(body as WireLease)],
      ['PUT', new RegExp(`${lease}/([^/]+)$`), (_m, body) => api.replaceLease(body as WireLease)],
      ['DELETE', new RegExp(`${lease}/([^/]+)$`), (m) => this.deleted(api.deleteLease(m[1]!, m[2]!))],
      [
        'PATCH',
        /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/status$/,
        (m, body) => api.patchPodStatus(m[1]!, m[2]!, body as object),
      ],
      [
        'POST',
        /^\/api\/v1\/namespaces\/([^/]+)\/events$/,
        (m, body) => api.createEvent(m[1]!, body as WireEvent),
      ],
      [
        'PATCH',
        /^\/api\/v1\/namespaces\/([^/]+)\/events\/([^/]+)$/,
        (m, body) => api.patchEvent(m[1]!, m[2]!, body as object),
      ],
      [
        'GET',
        /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/,
        (m) => this.found(api.getConfigMap(m[1]!, m[2]!).then((d) => d && { kind: 'ConfigMap', ...d })),
      ],
      [
        'GET',
        /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/,
        (m) => this.found(api.getSecret(m[1]!, m[2]!).then((d) => d && { kind: 'Secret', ...d })),
      ],
    ];
    const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res);
    this.server = options.tls
      ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handle)
      : http.createServer(handle);
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig for this server, with a token the fake ignores. */
  kubeconfig(port: number): string {
    return fakeKubeconfig(port);
  }

  private async found<T>(value: Promise<T | null | undefined>): Promise<T> {
    const v = await value;
    if (v === undefined || v === null) throw new ApiError(404, 'not found');
    return v;
  }

  private async deleted(value: Promise<boolean>): Promise<unknown> {
    if (!(await value)) throw new ApiError(404, 'not found');
    return { kind: 'Status', apiVersion: 'v1', status: 'Success' };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    this.authorizations.push(req.headers.authorization);
    try {
      const required = this.options.requireAuthorization;
      if (required !== undefined && req.headers.authorization !== required) {
        throw new ApiError(401, 'Unauthorized');
      }
      if (req.method === 'GET' && url.pathname === '/api/v1/pods') {
        if (url.searchParams.get('watch') === 'true') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
          res.flushHeaders();
          return;
        }
        return send(200, {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: this.api.podList(),
        });
      }
      for (const [method, pattern, handler] of this.routes) {
        const match = pattern.exec(url.pathname);
        if (method !== req.method || !match) continue;
        return send(
          req.method === 'POST' ? 201 : 200,
          await handler(match, text ? JSON.parse(text) : undefined, url.searchParams),
        );
      }
      throw new ApiError(404, `the fake has no ${req.method} ${url.pathname}`);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 500;
      send(code, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: (err as Error).message,
        code,
      });
    }
  }
}
