import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeletApiServer } from '../../../src/kubelet/api/kubelet-api-server.js';
import type { KubeletApiOptions } from '../../../src/kubelet/api/kubelet-api-options.js';
import { loadOrCreateServingCert } from '../../../src/kubelet/api/serving-cert.js';
import type {
  AccessAttributes,
  AccessDecision,
  AccessReviewer,
} from '../../../src/kubelet/api/request-authorizer.js';
import type { TokenReviewResult, TokenReviewer } from '../../../src/kubelet/api/request-authenticator.js';
import { KubeletMetrics } from '../../../src/kubelet/kubelet-metrics.js';
import { createTestCa, type TestCa } from '../../fixtures/kubelet-api/test-pki.js';
import { pod, sampleStats, samplePods } from '../../fixtures/kubelet-api/stats-fixture.js';
import { FakeRunner, runnerClient } from './fake-runner.js';
import { StreamingCall, call, type Credentials } from './https-client.js';

const APISERVER_USER = 'kube-apiserver-kubelet-client';
const SCRAPER_TOKEN = 'scraper-token';
const NOBODY_TOKEN = 'nobody-token';

class FakeTokenReviewer implements TokenReviewer {
  async review(token: string): Promise<TokenReviewResult> {
    const users: Record<string, string> = {
      [SCRAPER_TOKEN]: 'system:serviceaccount:kube-system:metrics-server',
      [NOBODY_TOKEN]: 'system:serviceaccount:default:nobody',
    };
    const name = users[token];
    return name
      ? {
          authenticated: true,
          user: { name, uid: 'u', groups: ['system:serviceaccounts'], extra: undefined },
          error: undefined,
        }
      : { authenticated: false, user: undefined, error: 'invalid token' };
  }
}

// The API server's client may do anything; metrics-server may read metrics and stats; nobody else may.
class FakeAccessReviewer implements AccessReviewer {
  readonly reviews: AccessAttributes[] = [];
  async review(a: AccessAttributes): Promise<AccessDecision> {
    this.reviews.push(a);
    const allowed =
      a.user.name === APISERVER_USER ||
      (a.user.name.endsWith(':metrics-server') && ['metrics', 'stats'].includes(a.subresource));
    return { allowed, reason: allowed ? 'allowed' : 'denied' };
  }
}

const LOG_POD: V1Pod = pod('team-a', 'talker', 'uid-talker', ['c1']);

describe('KubeletApiServer over HTTPS', function () {
  this.timeout(30_000);
  let dir: string;
  let runner: FakeRunner;
  let ca: TestCa;
  let apiserverCert: Credentials;
  let strangerCert: Credentials;
  let servingCertPem: string;
  let servingKeyPem: string;
  let reviewer: FakeAccessReviewer;
  let healthy: boolean;
  let ready: { ready: boolean; reason: string };
  const servers: KubeletApiServer[] = [];
  const metrics = new KubeletMetrics({ collectProcessMetrics: false });

  async function startServer(
    overrides: Partial<KubeletApiOptions> = {},
  ): Promise<{ port: number; server: KubeletApiServer }> {
    const server = new KubeletApiServer({
      nodeName: 'vk-test',
      listenAddress: '127.0.0.1',
      port: 0,
      tlsCertPem: servingCertPem,
      tlsKeyPem: servingKeyPem,
      clientCaPem: ca.certPem,
      anonymousAuth: false,
      authorizationMode: 'Webhook',
      kubeConfig: new KubeConfig(),
      runner: runner.client(),
      pods: {
        list: () => [...samplePods(), LOG_POD],
        get: (ns, name) =>
          [...samplePods(), LOG_POD].find((p) => p.metadata?.namespace === ns && p.metadata.name === name),
      },
      health: { healthy: () => healthy, ready: () => ready },
      metrics,
      logger: pino({ level: 'silent' }),
      tokenReviewer: new FakeTokenReviewer(),
      accessReviewer: reviewer,
      logHeaderDelayMs: 50,
      shutdownTimeoutMs: 2_000,
      ...overrides,
    });
    servers.push(server);
    const { port } = await server.start();
    return { port, server };
  }

  let port: number;
  const get = (p: string, creds: Credentials = apiserverCert, method = 'GET') =>
    call({ port, path: p, ca: servingCertPem, method, ...creds });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelet-api-it-'));
    ca = await createTestCa(dir, 'cluster-ca');
    const otherCa = await createTestCa(dir, 'other-ca');
    const issued = await ca.issueClient(APISERVER_USER, ['kubeadm:cluster-admins']);
    apiserverCert = { cert: issued.certPem, key: issued.keyPem };
    const stranger = await otherCa.issueClient(APISERVER_USER, []);
    strangerCert = { cert: stranger.certPem, key: stranger.keyPem };
    const serving = await loadOrCreateServingCert(undefined, undefined, ['localhost'], ['127.0.0.1']);
    servingCertPem = serving.certPem;
    servingKeyPem = serving.keyPem;
    runner = new FakeRunner(dir);
    runner.stats = sampleStats();
    runner.logs = { c1: ['line 1\n', 'line 2\n'] };
    await runner.start();
  });

  beforeEach(async () => {
    healthy = true;
    ready = { ready: true, reason: '' };
    reviewer = new FakeAccessReviewer();
    port = (await startServer()).port;
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  after(async () => {
    await runner?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('authentication and authorisation', () => {
    it('accepts a client certificate signed by the client CA', async () => {
      const res = await get('/pods');
      expect(res.status, res.body).to.equal(200);
      const list = JSON.parse(res.body) as { kind: string; apiVersion: string; items: unknown[] };
      expect(list).to.include({ kind: 'PodList', apiVersion: 'v1' });
      expect(list.items).to.have.length(4);
      const review = reviewer.reviews[0];
      expect(review?.user.name).to.equal(APISERVER_USER);
      expect(review?.user.groups).to.deep.equal(['kubeadm:cluster-admins', 'system:authenticated']);
      expect(review).to.deep.include({
        verb: 'get',
        resource: 'nodes',
        subresource: 'proxy',
        name: 'vk-test',
      });
    });

    it('refuses a client certificate from another CA', async () => {
      const res = await get('/pods', strangerCert);
      expect(res.status).to.equal(401);
      expect(res.body).to.equal('Unauthorized');
    });

    it('accepts a bearer token the TokenReview accepts and refuses one it does not', async () => {
      const ok = await get('/metrics/resource', { token: SCRAPER_TOKEN });
      expect(ok.status, ok.body).to.equal(200);
      const bogus = await get('/metrics/resource', { token: 'not-a-token' });
      expect(bogus.status).to.equal(401);
    });

    it('answers 403 with the kubelet message when the SubjectAccessReview denies', async () => {
      const res = await get('/metrics/resource', { token: NOBODY_TOKEN });
      expect(res.status).to.equal(403);
      expect(res.body).to.equal(
        'Forbidden (user=system:serviceaccount:default:nobody, verb=get, resource=nodes, subresource(s)=[metrics])',
      );
      const logs = await get('/containerLogs/team-a/talker/c1', { token: SCRAPER_TOKEN });
      expect(logs.status).to.equal(403);
      expect(logs.body).to.contain('subresource(s)=[proxy]');
    });

    it('refuses anonymous requests unless anonymous access is enabled', async () => {
      for (const p of ['/pods', '/metrics/resource', '/healthz', '/nope']) {
        expect((await get(p, {})).status, p).to.equal(401);
      }
      const anonymous = await startServer({ anonymousAuth: true });
      const anonGet = (p: string) => call({ port: anonymous.port, path: p, ca: servingCertPem });
      expect((await anonGet('/healthz')).status).to.equal(200);
      const denied = await anonGet('/pods');
      expect(denied.status).to.equal(403);
      expect(denied.body).to.contain('user=system:anonymous');
      expect(reviewer.reviews.at(-1)?.user.groups).to.deep.equal(['system:unauthenticated']);
    });

    it('skips the review with AlwaysAllow', async () => {
      const open = await startServer({ authorizationMode: 'AlwaysAllow' });
      const res = await call({
        port: open.port,
        path: '/stats/summary',
        ca: servingCertPem,
        token: NOBODY_TOKEN,
      });
      expect(res.status).to.equal(200);
      expect(reviewer.reviews).to.have.length(0);
    });
  });

  describe('routes', () => {
    it('serves /stats/summary from the runner joined with the pods', async () => {
      const res = await get('/stats/summary');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json');
      const summary = JSON.parse(res.body) as {
        node: { nodeName: string; memory: { workingSetBytes: number } };
        pods: Array<{
          podRef: { name: string };
          containers: Array<{ name: string; cpu: { usageNanoCores: number } }>;
        }>;
      };
      expect(summary.node.nodeName).to.equal('vk-test');
      expect(summary.node.memory.workingSetBytes).to.equal(4_000_000_000);
      expect(summary.pods.map((p) => p.podRef.name)).to.deep.equal(['web', 'batch']);
      expect(summary.pods[0]?.containers.map((c) => c.name)).to.deep.equal(['main', 'sidecar']);
      expect(summary.pods[0]?.containers[1]?.cpu.usageNanoCores).to.be.at.least(1);
    });

    it('serves /metrics/resource in the Prometheus text format', async () => {
      const res = await get('/metrics/resource');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).to.contain(
        'container_cpu_usage_seconds_total{container="main",namespace="team-a",pod="web"} 1.5 1714564800500\n',
      );
      expect(res.body).to.contain('node_memory_working_set_bytes 4e+09 1714564800500\n');
      expect(res.body).to.contain('\nresource_scrape_error 0\n');
    });

    it('reports a runner failure as 503 on /stats/summary and resource_scrape_error 1 on /metrics/resource', async () => {
      runner.statsError = GrpcStatus.UNAVAILABLE;
      try {
        const summary = await get('/stats/summary');
        expect(summary.status).to.equal(503);
        const resource = await get('/metrics/resource');
        expect(resource.status).to.equal(200);
        expect(resource.body).to.contain('\nresource_scrape_error 1\n');
        expect(resource.body).to.not.contain('node_cpu_usage_seconds_total');
      } finally {
        runner.statsError = undefined;
      }
    });

    it('answers 503 when the runner cannot be reached', async () => {
      const unreachable = await startServer({
        runner: runnerClient(`unix:${path.join(dir, 'nobody.sock')}`),
      });
      const res = await call({
        port: unreachable.port,
        path: '/stats/summary',
        ca: servingCertPem,
        ...apiserverCert,
      });
      expect(res.status).to.equal(503);
    });

    it('serves /healthz and /readyz from the health source', async () => {
      expect(await get('/healthz')).to.include({ status: 200, body: 'ok' });
      expect(await get('/readyz')).to.include({ status: 200, body: 'ok' });
      healthy = false;
      ready = { ready: false, reason: 'runner link down' };
      expect((await get('/healthz')).status).to.equal(500);
      expect(await get('/readyz')).to.include({ status: 500, body: 'not ready: runner link down' });
    });

    it('serves its own metrics, counting requests by route and code', async () => {
      await get('/nope');
      await get('/pods', {});
      const res = await get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.body).to.match(/vkcmd_kubelet_http_requests_total\{route="other",code="404"\} \d+/);
      expect(res.body).to.match(/vkcmd_kubelet_http_requests_total\{route="\/pods",code="401"\} \d+/);
    });

    it('answers 404 for unknown paths and 405 for other methods', async () => {
      expect((await get('/exec/team-a/talker/c1')).status).to.equal(404);
      const post = await get('/pods', apiserverCert, 'POST');
      expect(post.status).to.equal(405);
      expect(post.headers['allow']).to.equal('GET');
      expect(reviewer.reviews.at(-1)?.verb).to.equal('create');
    });
  });

  describe('container logs', () => {
    it('streams a finished log and passes every option to the runner', async () => {
      const res = await get(
        '/containerLogs/team-a/talker/c1?tailLines=5&timestamps=true&limitBytes=100&sinceTime=2024-05-01T10:00:00Z&previous=true',
      );
      expect(res.status, res.body).to.equal(200);
      expect(res.body).to.equal('line 1\nline 2\n');
      expect(res.headers['content-type']).to.equal('text/plain');
      expect(res.headers['transfer-encoding']).to.equal('chunked');
      expect(res.headers['content-length']).to.equal(undefined);
      expect(runner.logRequests.at(-1)).to.deep.include({
        uid: 'uid-talker',
        container: 'c1',
        follow: false,
        tailLines: 5,
        timestamps: true,
        limitBytes: 100,
        sinceTimeMs: Date.UTC(2024, 4, 1, 10),
        previous: true,
        stream: 'LOG_STREAM_ALL',
      });
    });

    it('answers 404 for an unknown pod or container and 400 for invalid options', async () => {
      const noPod = await get('/containerLogs/team-a/nobody/c1');
      expect(noPod).to.include({ status: 404, body: 'pod "nobody" does not exist' });
      const noContainer = await get('/containerLogs/team-a/talker/c9');
      expect(noContainer).to.include({ status: 404, body: 'container "c9" not found in pod "talker"' });
      const bad = await get('/containerLogs/team-a/talker/c1?sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z');
      expect(bad.status).to.equal(400);
      expect(bad.body).to.contain('at most one of `sinceTime` or `sinceSeconds`');
      expect((await get('/containerLogs/team-a/talker/c1?tailLines=-1')).status).to.equal(400);
    });

    it('maps runner errors to HTTP codes', async () => {
      const withErrors = pod('team-a', 'broken', 'uid-broken', ['gone', 'bad', 'down', 'odd']);
      const server = await startServer({
        pods: { list: () => [withErrors], get: () => withErrors },
      });
      runner.logErrors = {
        gone: GrpcStatus.NOT_FOUND,
        bad: GrpcStatus.INVALID_ARGUMENT,
        down: GrpcStatus.UNAVAILABLE,
        odd: GrpcStatus.INTERNAL,
      };
      try {
        const codes: Record<string, number> = {};
        for (const c of ['gone', 'bad', 'down', 'odd']) {
          const res = await call({
            port: server.port,
            path: `/containerLogs/team-a/broken/${c}`,
            ca: servingCertPem,
            ...apiserverCert,
          });
          codes[c] = res.status;
        }
        expect(codes).to.deep.equal({ gone: 404, bad: 400, down: 503, odd: 500 });
      } finally {
        runner.logErrors = {};
      }
    });

    it('streams follow output as the runner sends it and cancels the call when the client leaves', async () => {
      const stream = new StreamingCall({
        port,
        path: '/containerLogs/team-a/talker/c1?follow=true',
        ca: servingCertPem,
        ...apiserverCert,
      });
      const held = await runner.nextFollowCall();
      expect(held.request).to.deep.include({ follow: true, uid: 'uid-talker' });
      const res = await stream.response;
      expect(res.statusCode).to.equal(200);
      expect(res.headers['transfer-encoding']).to.equal('chunked');
      await stream.waitForText((t) => t === 'line 1\nline 2\n');
      held.write('line 3\n');
      await stream.waitForText((t) => t.endsWith('line 3\n'));
      expect(stream.finished).to.equal(false);
      held.write('line 4\n');
      await stream.waitForText((t) => t.endsWith('line 4\n'));
      stream.abort();
      await held.cancelled;
    });

    it('ends the response when a followed container terminates', async () => {
      const stream = new StreamingCall({
        port,
        path: '/containerLogs/team-a/talker/c1?follow=1',
        ca: servingCertPem,
        ...apiserverCert,
      });
      const held = await runner.nextFollowCall();
      held.write('the end\n');
      held.end();
      await stream.done;
      expect(stream.text).to.equal('line 1\nline 2\nthe end\n');
    });

    it('sends the headers of a quiet follow stream before any output', async () => {
      const saved = runner.logs;
      runner.logs = {};
      try {
        const stream = new StreamingCall({
          port,
          path: '/containerLogs/team-a/talker/c1?follow=true',
          ca: servingCertPem,
          ...apiserverCert,
        });
        const held = await runner.nextFollowCall();
        const res = await stream.response;
        expect(res.statusCode).to.equal(200);
        held.write('late\n');
        await stream.waitForText((t) => t === 'late\n');
        stream.abort();
        await held.cancelled;
      } finally {
        runner.logs = saved;
      }
    });

    it('answers 503 to a follow request when the runner cannot be reached', async () => {
      const unreachable = await startServer({
        runner: runnerClient(`unix:${path.join(dir, 'nobody.sock')}`),
      });
      const res = await call({
        port: unreachable.port,
        path: '/containerLogs/team-a/talker/c1?follow=true',
        ca: servingCertPem,
        ...apiserverCert,
      });
      expect(res.status).to.equal(503);
      expect(res.body).to.match(/runner unavailable/);
    });

    it('stop ends open follow streams, cancels their calls and closes', async () => {
      const { port: p, server } = await startServer();
      const stream = new StreamingCall({
        port: p,
        path: '/containerLogs/team-a/talker/c1?follow=true',
        ca: servingCertPem,
        ...apiserverCert,
      });
      const held = await runner.nextFollowCall();
      await stream.waitForText((t) => t.includes('line 2'));
      await server.stop();
      await held.cancelled;
      await stream.done;
      let refused: unknown;
      await call({ port: p, path: '/healthz', ca: servingCertPem, ...apiserverCert }).catch(
        (e: unknown) => (refused = e),
      );
      expect(refused).to.be.instanceOf(Error);
    });
  });
});
