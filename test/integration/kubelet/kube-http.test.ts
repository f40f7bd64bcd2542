import { expect } from 'chai';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WirePod } from '../../../src/kubelet/kube/wire-types.js';
import { pino } from 'pino';
import { loadOrCreateServingCert } from '../../../src/kubelet/api/serving-cert.js';
import { KubeApiClient } from '../../../src/kubelet/kube/kube-api-client.js';
import { ApiError, type PodInformerHandlers } from '../../../src/kubelet/kube/kube-api.js';
import { credentialSource, type CredentialSource } from '../../../src/kubelet/kube/kube-credentials.js';
import { KubeTransport } from '../../../src/kubelet/kube/kube-transport.js';
import type { KubeClientConfig } from '../../../src/kubelet/kube/kubeconfig.js';
import { ListWatchPodInformer } from '../../../src/kubelet/kube/list-watch-informer.js';
import { KubeletMetrics } from '../../../src/kubelet/kubelet-metrics.js';
import { waitFor } from './support/harness.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** An HTTPS server on loopback whose answers the test scripts; counts TCP connections. */
class ScriptedApiServer {
  connections = 0;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  handler: Handler = (_req, res) => res.end('{}');
  private server: https.Server | undefined;
  caPem = '';

  async start(): Promise<string> {
    const cert = await loadOrCreateServingCert(undefined, undefined, ['localhost'], ['127.0.0.1']);
    this.caPem = cert.certPem;
    this.server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        this.handler(req, res, body);
      });
    });
    this.server.on('secureConnection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const json = (res: ServerResponse, code: number, body: unknown): void => {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};
const pod = (name: string, rv: string): WirePod => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'kubectl' }] },
});

describe('kubelet: API server transport and pod informer (HTTPS on loopback)', function () {
  let server: ScriptedApiServer;
  let config: KubeClientConfig;
  let transport: KubeTransport;

  beforeEach(async () => {
    server = new ScriptedApiServer();
    const url = await server.start();
    config = {
      server: url,
      caPem: server.caPem,
      insecureSkipTlsVerify: false,
      tlsServerName: undefined,
      clientCertPem: undefined,
      clientKeyPem: undefined,
      credentials: { kind: 'token', token: 'secret' },
      impersonationHeaders: {},
      namespace: 'default',
    };
    transport = new KubeTransport(config, credentialSource(config.credentials), {
      maxSockets: 4,
      userAgent: 'vk-cmd-test',
    });
  });

  afterEach(async () => {
    transport.close();
    await server.stop();
  });

  it('reuses one TLS connection for sequential requests and caps concurrent ones', async () => {
    server.handler = (_req, res) => json(res, 200, { ok: true });
    for (let i = 0; i < 20; i++) {
      await transport.request({ method: 'GET', path: '/api/v1/nodes/n' });
    }
    expect(server.connections).to.equal(1);
    await Promise.all(
      Array.from({ length: 40 }, () => transport.request({ method: 'GET', path: '/api/v1/nodes/n' })),
    );
    expect(server.connections).to.be.at.most(4);
    expect(server.requests[0]?.headers['authorization']).to.equal('Bearer secret');
    expect(server.requests[0]?.headers['user-agent']).to.equal('vk-cmd-test');
  });

  it('sends patches with their content type and turns error answers into ApiError with the Status message', async () => {
    const api = new KubeApiClient(
      transport,
      new KubeletMetrics({ collectProcessMetrics: false }),
      pino({ level: 'silent' }),
    );
    server.handler = (req, res) =>
      req.url?.endsWith('/status')
        ? json(res, 200, {})
        : json(res, 422, { kind: 'Status', message: 'Pod "p" is invalid: bad field', code: 422 });
    await api.patchPodStatus('ns', 'p', { status: {} });
    expect(server.requests[0]).to.deep.include({
      method: 'PATCH',
      url: '/api/v1/namespaces/ns/pods/p/status',
    });
    expect(server.requests[0]?.headers['content-type']).to.equal('application/strategic-merge-patch+json');
    let err: unknown;
    await api.patchNode('n', { metadata: {} }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ApiError);
    expect(err).to.deep.include({ code: 422, message: 'Pod "p" is invalid: bad field' });
  });

  it('deletes with grace 0 and a UID precondition; 404 and 409 resolve false', async () => {
    const api = new KubeApiClient(
      transport,
      new KubeletMetrics({ collectProcessMetrics: false }),
      pino({ level: 'silent' }),
    );
    const codes = [200, 404, 409];
    server.handler = (_req, res) => json(res, codes.shift() ?? 500, { kind: 'Status', message: 'x' });
    expect(await api.deletePod('ns', 'p', 'u-1')).to.equal(true);
    expect(await api.deletePod('ns', 'p', 'u-1')).to.equal(false);
    expect(await api.deletePod('ns', 'p', 'u-1')).to.equal(false);
    expect(JSON.parse(server.requests[0]!.body)).to.deep.equal({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u-1' },
    });
  });

  it('after a 401 fetches a fresh credential and retries once', async () => {
    let token = 'old';
    let invalidations = 0;
    const source: CredentialSource = {
      get: () => Promise.resolve({ authorization: `Bearer ${token}`, certPem: undefined, keyPem: undefined }),
      invalidate: () => {
        invalidations++;
        token = 'new';
      },
    };
    const t = new KubeTransport(config, source, { maxSockets: 2, userAgent: 'x' });
    server.handler = (req, res) =>
      req.headers['authorization'] === 'Bearer new' ? json(res, 200, { ok: 1 }) : json(res, 401, {});
    expect(await t.request({ method: 'GET', path: '/api/v1/nodes/n' })).to.deep.equal({ ok: 1 });
    expect(invalidations).to.equal(1);
    token = 'old';
    server.handler = (_req, res) => json(res, 401, { kind: 'Status', message: 'Unauthorized' });
    let err: unknown;
    await t.request({ method: 'GET', path: '/x' }).catch((e: unknown) => (err = e));
    expect(err).to.deep.include({ code: 401, message: 'Unauthorized' });
    t.close();
  });

  it('informer: lists, watches from the list revision, relists on 410 and reports pods that vanished', async () => {
    const lists: WirePod[][] = [[pod('a', '1')], [pod('b', '12')]];
    const listRvs = ['10', '20'];
    const watchRvs: string[] = [];
    let watches = 0;
    server.handler = (req, res) => {
      const url = new URL(req.url ?? '', 'https://x');
      expect(url.searchParams.get('fieldSelector')).to.equal('spec.nodeName=node-1');
      if (url.searchParams.get('watch') !== 'true') {
        json(res, 200, { items: lists.shift() ?? [], metadata: { resourceVersion: listRvs.shift() } });
        return;
      }
      watchRvs.push(url.searchParams.get('resourceVersion') ?? '');
      watches++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (watches === 1) {
        // Events split mid-line across writes.
        const text =
          JSON.stringify({ type: 'MODIFIED', object: pod('a', '11') }) +
          '\n' +
          JSON.stringify({ type: 'ADDED', object: pod('b', '12') }) +
          '\n';
        res.write(text.slice(0, 30));
        setTimeout(() => res.end(text.slice(30)), 20);
      } else if (watches === 2) {
        res.end(
          JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } }) + '\n',
        );
      } else {
        res.write(
          JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '30' } } }) + '\n',
        );
        // Held open until the informer stops.
      }
    };
    const seen: string[] = [];
    const handlers: PodInformerHandlers = {
      add: (p) => seen.push(`add ${p.metadata?.name}@${p.metadata?.resourceVersion}`),
      update: (p) => seen.push(`update ${p.metadata?.name}@${p.metadata?.resourceVersion}`),
      delete: (p) => seen.push(`delete ${p.metadata?.name}`),
      synced: () => seen.push('synced'),
    };
    const counted: string[] = [];
    const informer = new ListWatchPodInformer(
      transport,
      'node-1',
      (verb, _resource, code) => counted.push(`${verb} ${code}`),
      pino({ level: 'silent' }),
    );
    informer.start(handlers);
    await waitFor(() => watches >= 3, 10_000, 'third watch');
    expect(seen).to.deep.equal(['add a@1', 'synced', 'update a@11', 'add b@12', 'delete a', 'synced']);
    expect(watchRvs).to.deep.equal(['10', '12', '20']);
    expect(informer.list().map((p) => p.metadata?.name)).to.deep.equal(['b']);
    expect(informer.get('ns', 'b')?.metadata?.managedFields).to.equal(undefined);
    expect(informer.hasSynced()).to.equal(true);
    await informer.stop();
    expect(counted.filter((c) => c.startsWith('list'))).to.deep.equal(['list 200', 'list 200']);
  });

  const informerWith = (handlers: Partial<PodInformerHandlers> = {}): ListWatchPodInformer => {
    const informer = new ListWatchPodInformer(transport, 'node-1', () => {}, pino({ level: 'silent' }));
    informer.start({ add: () => {}, update: () => {}, delete: () => {}, synced: () => {}, ...handlers });
    return informer;
  };

  it('informer: relists at once after one 410 but backs off when watches keep expiring', async () => {
    const listAtMs: number[] = [];
    server.handler = (req, res) => {
      const url = new URL(req.url ?? '', 'https://x');
      if (url.searchParams.get('watch') !== 'true') {
        listAtMs.push(Date.now());
        json(res, 200, { items: [pod('a', '1')], metadata: { resourceVersion: '10' } });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old' } }) + '\n',
      );
    };
    const informer = informerWith();
    await waitFor(() => listAtMs.length >= 3, 10_000, 'third list');
    await informer.stop();
    // First expiry: relist at once. Second: the back-off's first step, 0.5-1 s.
    expect(listAtMs[1]! - listAtMs[0]!).to.be.below(500);
    expect(listAtMs[2]! - listAtMs[1]!).to.be.at.least(450);
  });

  it('informer: a watch the server ends at once and empty is retried after a delay, without relisting', async () => {
    const watchAtMs: number[] = [];
    let lists = 0;
    server.handler = (req, res) => {
      const url = new URL(req.url ?? '', 'https://x');
      if (url.searchParams.get('watch') !== 'true') {
        lists++;
        json(res, 200, { items: [], metadata: { resourceVersion: '10' } });
        return;
      }
      watchAtMs.push(Date.now());
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    };
    const informer = informerWith();
    await waitFor(() => watchAtMs.length >= 2, 10_000, 'second watch');
    // Now in its back-off (at least 1 s after the second empty watch): stopping must not wait it out.
    const stopStartMs = Date.now();
    await informer.stop();
    expect(Date.now() - stopStartMs).to.be.below(400);
    expect(watchAtMs[1]! - watchAtMs[0]!).to.be.at.least(450);
    expect(lists).to.equal(1);
  });

  it('informer: stop abandons a list the server has not answered', async () => {
    let listed = false;
    server.handler = () => {
      listed = true; // never answers
    };
    const informer = informerWith();
    await waitFor(() => listed, 10_000, 'list request');
    const stopStartMs = Date.now();
    await informer.stop();
    expect(Date.now() - stopStartMs).to.be.below(1000);
    expect(informer.hasSynced()).to.equal(false);
  });
});
