import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { pino } from 'pino';
import { KubeletApiServer } from '../../../../src/kubelet/api/kubelet-api-server.js';
import type { KubeletApiOptions } from '../../../../src/kubelet/api/kubelet-api-options.js';
import { loadOrCreateServingCert } from '../../../../src/kubelet/api/serving-cert.js';
import type {
  AccessAttributes,
  AccessDecision,
  AccessReviewer,
} from '../../../../src/kubelet/api/request-authorizer.js';
import type { TokenReviewResult, TokenReviewer } from '../../../../src/kubelet/api/request-authenticator.js';
import { credentialSource } from '../../../../src/kubelet/kube/kube-credentials.js';
import { KubeTransport } from '../../../../src/kubelet/kube/kube-transport.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import { RunnerLink } from '../../../../src/kubelet/runner/runner-link.js';
import { createTestCa, type TestCa } from '../../../fixtures/kubelet-api/test-pki.js';
import { pod, sampleStats, samplePods } from '../../../fixtures/kubelet-api/stats-fixture.js';
import { FakeRunner, runnerClient } from '../fake-runner.js';
import { StreamingCall, call, type Credentials } from '../https-client.js';

export const APISERVER_USER = 'kube-apiserver-kubelet-client';
export const SCRAPER_TOKEN = 'scraper-token';
export const NOBODY_TOKEN = 'nobody-token';
/** May read nodes/healthz only (1.33's fine-grained subresource). */
export const PROBE_TOKEN = 'probe-token';

class FakeTokenReviewer implements TokenReviewer {
  async review(token: string): Promise<TokenReviewResult> {
    const users: Record<string, string> = {
      [SCRAPER_TOKEN]: 'system:serviceaccount:kube-system:metrics-server',
      [NOBODY_TOKEN]: 'system:serviceaccount:default:nobody',
      [PROBE_TOKEN]: 'system:serviceaccount:monitoring:prober',
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

/** A transport the server never uses: the fixture injects its own reviewers. */
function unusedTransport(): KubeTransport {
  const config = {
    server: 'https://127.0.0.1:1',
    caPem: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    clientCertPem: undefined,
    clientKeyPem: undefined,
    credentials: { kind: 'none' as const },
    impersonationHeaders: {},
    namespace: 'default',
  };
  return new KubeTransport(config, credentialSource(config.credentials), {
    maxSockets: 1,
    userAgent: 'test',
  });
}

/**
 * The API server's client may do anything; metrics-server may read metrics
 * and stats; the prober may read nodes/healthz; nobody else may do anything.
 */
export class FakeAccessReviewer implements AccessReviewer {
  readonly reviews: AccessAttributes[] = [];
  async review(a: AccessAttributes): Promise<AccessDecision> {
    this.reviews.push(a);
    const allowed =
      a.user.name === APISERVER_USER ||
      (a.user.name.endsWith(':metrics-server') && ['metrics', 'stats'].includes(a.subresource)) ||
      (a.user.name.endsWith(':prober') && a.subresource === 'healthz');
    return { allowed, reason: allowed ? 'allowed' : 'denied' };
  }
}

export const LOG_POD: WirePod = pod('team-a', 'talker', 'uid-talker', ['c1']);

/**
 * A kubelet HTTPS API against a fake runner, a test CA and fake reviewers.
 * `use()` registers the mocha hooks: one runner and PKI per file, a fresh
 * server (and reviewer, health) per test.
 */
export class KubeletApiFixture {
  dir = '';
  runner!: FakeRunner;
  ca!: TestCa;
  apiserverCert!: Credentials;
  strangerCert!: Credentials;
  servingCertPem = '';
  private servingKeyPem = '';
  reviewer = new FakeAccessReviewer();
  healthy = true;
  ready = { ready: true, reason: '' };
  port = 0;
  readonly metrics = new KubeletMetrics({ collectProcessMetrics: false });
  private readonly servers: KubeletApiServer[] = [];
  private readonly links: RunnerLink[] = [];

  static use(): KubeletApiFixture {
    const f = new KubeletApiFixture();
    before(() => f.setUp());
    beforeEach(async () => {
      f.healthy = true;
      f.ready = { ready: true, reason: '' };
      f.reviewer = new FakeAccessReviewer();
      f.port = (await f.startServer()).port;
    });
    afterEach(() => f.stopServers());
    after(() => f.tearDown());
    return f;
  }

  async startServer(
    overrides: Partial<KubeletApiOptions> = {},
  ): Promise<{ port: number; server: KubeletApiServer }> {
    const pods = [...samplePods(), LOG_POD];
    const server = new KubeletApiServer({
      nodeName: 'vk-test',
      listenAddress: '127.0.0.1',
      port: 0,
      tlsCertPem: this.servingCertPem,
      tlsKeyPem: this.servingKeyPem,
      clientCaPem: this.ca.certPem,
      anonymousAuth: false,
      authorizationMode: 'Webhook',
      transport: unusedTransport(),
      runner: this.link(this.runner.client()),
      pods: {
        list: () => pods,
        get: (ns, name) => pods.find((p) => p.metadata?.namespace === ns && p.metadata.name === name),
      },
      health: { healthy: () => this.healthy, ready: () => this.ready },
      metrics: this.metrics,
      logger: pino({ level: 'silent' }),
      tokenReviewer: new FakeTokenReviewer(),
      accessReviewer: this.reviewer,
      logHeaderDelayMs: 50,
      shutdownTimeoutMs: 2_000,
      ...overrides,
    });
    this.servers.push(server);
    const { port } = await server.start();
    return { port, server };
  }

  /** A request to the per-test server, by default with the API server's client certificate. */
  get(p: string, creds: Credentials = this.apiserverCert, method = 'GET') {
    return this.getFrom(this.port, p, creds, method);
  }

  /** A request to another server of this fixture. */
  getFrom(port: number, p: string, creds: Credentials = this.apiserverCert, method = 'GET') {
    return call({ port, path: p, ca: this.servingCertPem, method, ...creds });
  }

  /** A streaming request (log follow) with the API server's client certificate. */
  follow(p: string, port = this.port): StreamingCall {
    return new StreamingCall({ port, path: p, ca: this.servingCertPem, ...this.apiserverCert });
  }

  /** A server whose runner socket does not exist. */
  async startUnreachable(): Promise<number> {
    const nobody = runnerClient(`unix:${path.join(this.dir, 'nobody.sock')}`);
    return (await this.startServer({ runner: this.link(nobody) })).port;
  }

  private async setUp(): Promise<void> {
    this.dir = await mkdtemp(path.join(tmpdir(), 'kubelet-api-it-'));
    this.ca = await createTestCa(this.dir, 'cluster-ca');
    const otherCa = await createTestCa(this.dir, 'other-ca');
    const issued = await this.ca.issueClient(APISERVER_USER, ['kubeadm:cluster-admins']);
    this.apiserverCert = { cert: issued.certPem, key: issued.keyPem };
    const stranger = await otherCa.issueClient(APISERVER_USER, []);
    this.strangerCert = { cert: stranger.certPem, key: stranger.keyPem };
    const serving = await loadOrCreateServingCert(undefined, undefined, ['localhost'], ['127.0.0.1']);
    this.servingCertPem = serving.certPem;
    this.servingKeyPem = serving.keyPem;
    this.runner = new FakeRunner(this.dir);
    this.runner.stats = sampleStats();
    this.runner.logs = { c1: ['line 1\n', 'line 2\n'] };
    await this.runner.start();
  }

  /** The kubelet's Runner over a client of the fake runner, as main.ts builds it (never started: no watch). */
  private link(client: RunnerClient): RunnerLink {
    const link = new RunnerLink(client, this.metrics, pino({ level: 'silent' }));
    this.links.push(link);
    return link;
  }

  private async stopServers(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => s.stop()));
    for (const link of this.links.splice(0)) link.close();
  }

  private async tearDown(): Promise<void> {
    await this.runner?.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
