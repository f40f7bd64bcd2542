import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateServingCert } from '../../../src/kubelet/api/serving-cert.js';
import { KUBELET_BIN } from '../../e2e/support/paths.js';
import { freePort } from '../../support/free-port.js';
import { FakeKubeApi } from './support/fake-kube-api.js';
import { FakeKubeHttp } from './support/fake-kube-http.js';
import { FakeRunner } from './support/fake-runner.js';
import { waitFor } from './support/harness.js';

/** An HTTP CONNECT proxy on loopback that records where each tunnel went. */
class ConnectProxy {
  readonly connects: string[] = [];
  private readonly server = http.createServer((_req, res) => res.writeHead(405).end());
  private readonly sockets = new Set<net.Socket>();

  async start(): Promise<number> {
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      const target = req.url ?? '';
      this.connects.push(target);
      const [host, port] = target.split(':');
      const upstream = net.connect(Number(port), host ?? '', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      }
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An unsigned JWT, as an OIDC provider's id-token looks to the client (the API server verifies it). */
function idToken(expSeconds: number): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: 'https://issuer.invalid', sub: 'vk-cmd', exp: expSeconds })}.c2lnbmF0dXJl`;
}

function kubeconfig(cluster: object, user: object): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'u', user }],
  });
}

describe('kubelet: kubeconfigs only @kubernetes/client-node can serve (auth-provider, proxy-url)', function () {
  this.timeout(60_000);
  let dir: string;
  let api: FakeKubeApi;
  let apiHttp: FakeKubeHttp | undefined;
  let proxy: ConnectProxy | undefined;
  let runner: FakeRunner;
  let kubelet: ChildProcess | undefined;
  let output = '';
  let caPem: string;
  let tls: { certPem: string; keyPem: string };

  before(async () => {
    const pair = await loadOrCreateServingCert(undefined, undefined, ['localhost'], ['127.0.0.1']);
    tls = { certPem: pair.certPem, keyPem: pair.keyPem };
    caPem = pair.certPem;
  });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-client-node-'));
    api = new FakeKubeApi();
    runner = new FakeRunner(path.join(dir, 'runner.sock'));
    await runner.start();
    output = '';
  });

  afterEach(async () => {
    if (kubelet && kubelet.exitCode === null && kubelet.signalCode === null) {
      const exited = new Promise((resolve) => kubelet!.once('exit', resolve));
      kubelet.kill('SIGKILL');
      await exited;
    }
    kubelet = undefined;
    await runner.stop();
    await apiHttp?.stop();
    await proxy?.stop();
    apiHttp = undefined;
    proxy = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the kubelet binary with `kubeconfigText`; its output collects in `output`. */
  async function startKubelet(nodeName: string, kubeconfigText: string): Promise<void> {
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, kubeconfigText, { mode: 0o600 });
    const args = [
      KUBELET_BIN,
      `--nodename=${nodeName}`,
      `--kubeconfig=${file}`,
      `--runner=unix://${runner.socketPath}`,
      `--kubelet-port=${await freePort()}`,
      '--kubelet-address=127.0.0.1',
      '--pod-ip=127.0.0.1',
      '--healthz-port=0',
    ];
    kubelet = spawn(process.execPath, args, {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kubelet.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    kubelet.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  }

  /** Starts the kubelet binary with `kubeconfigText` and waits for its Node to be Ready. */
  async function runKubeletUntilReady(nodeName: string, kubeconfigText: string): Promise<void> {
    await startKubelet(nodeName, kubeconfigText);
    await waitFor(
      () => {
        if (kubelet!.exitCode !== null) throw new Error(`the kubelet exited with ${kubelet!.exitCode}`);
        return api.nodes
          .get(nodeName)
          ?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      },
      30_000,
      `node ${nodeName} Ready`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-3000)}`);
    });
    // Running: it also keeps its Lease and lists and watches its pods.
    await waitFor(
      () => api.leases.size > 0 && (apiHttp?.authorizations.length ?? 0) >= 6,
      30_000,
      'the Lease and the pod list and watch',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-3000)}`);
    });
  }

  it('auth-provider oidc: every request carries the id-token as its bearer token', async () => {
    const token = idToken(Math.floor(Date.now() / 1000) + 3600);
    apiHttp = new FakeKubeHttp(api, { tls, requireAuthorization: `Bearer ${token}` });
    const port = await apiHttp.start();
    const oidcUser = {
      'auth-provider': {
        name: 'oidc',
        config: {
          'client-id': 'vk-cmd',
          'idp-issuer-url': 'https://issuer.invalid',
          'id-token': token,
          'refresh-token': 'unused-while-the-id-token-is-valid',
        },
      },
    };
    const caData = Buffer.from(caPem).toString('base64');
    await runKubeletUntilReady(
      'vk-oidc',
      kubeconfig({ server: `https://127.0.0.1:${port}`, 'certificate-authority-data': caData }, oidcUser),
    );
    expect(new Set(apiHttp.authorizations)).to.deep.equal(new Set([`Bearer ${token}`]));
    expect(output).to.contain('The kubeconfig needs @kubernetes/client-node');
  });

  it('auth-provider oidc with an expired id-token: nothing is sent, and the log says why', async () => {
    apiHttp = new FakeKubeHttp(api, { tls });
    const port = await apiHttp.start();
    const expired = {
      'auth-provider': {
        name: 'oidc',
        config: {
          'client-id': 'vk-cmd',
          'idp-issuer-url': `https://127.0.0.1:${await freePort()}`,
          'id-token': idToken(Math.floor(Date.now() / 1000) - 60),
          'refresh-token': 'r',
        },
      },
    };
    const caData = Buffer.from(caPem).toString('base64');
    await startKubelet(
      'vk-oidc-expired',
      kubeconfig({ server: `https://127.0.0.1:${port}`, 'certificate-authority-data': caData }, expired),
    );
    await waitFor(
      () => output.includes('an expired OIDC id-token cannot be refreshed'),
      20_000,
      'the refresh failure in the log',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-3000)}`);
    });
    expect(apiHttp.authorizations).to.deep.equal([]);
  });

  it('proxy-url: requests go through the CONNECT proxy over kept-alive tunnels', async () => {
    apiHttp = new FakeKubeHttp(api, { tls, requireAuthorization: 'Bearer t0ken' });
    const apiPort = await apiHttp.start();
    proxy = new ConnectProxy();
    const proxyPort = await proxy.start();
    const caData = Buffer.from(caPem).toString('base64');
    await runKubeletUntilReady(
      'vk-proxied',
      kubeconfig(
        {
          server: `https://127.0.0.1:${apiPort}`,
          'certificate-authority-data': caData,
          'proxy-url': `http://127.0.0.1:${proxyPort}`,
        },
        { token: 't0ken' },
      ),
    );
    const requests = apiHttp.authorizations.length;
    expect(proxy.connects.length).to.be.greaterThan(0);
    expect(new Set(proxy.connects)).to.deep.equal(new Set([`127.0.0.1:${apiPort}`]));
    // Kept alive: fewer tunnels than requests (the pod watch holds one of them open).
    expect(proxy.connects.length, `${proxy.connects.length} CONNECTs for ${requests} requests`).to.be.below(
      requests,
    );
    expect(new Set(apiHttp.authorizations)).to.deep.equal(new Set(['Bearer t0ken']));
  });

  it('proxy-url naming a proxy that is down: nothing reaches the API server around it', async () => {
    apiHttp = new FakeKubeHttp(api, { tls });
    const apiPort = await apiHttp.start();
    const deadPort = await freePort();
    const caData = Buffer.from(caPem).toString('base64');
    await startKubelet(
      'vk-unproxied',
      kubeconfig(
        {
          server: `https://127.0.0.1:${apiPort}`,
          'certificate-authority-data': caData,
          'proxy-url': `http://127.0.0.1:${deadPort}`,
        },
        { token: 't' },
      ),
    );
    await waitFor(() => /ECONNREFUSED/.test(output), 20_000, 'a refused connection to the proxy').catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${output.slice(-3000)}`);
      },
    );
    expect(apiHttp.authorizations).to.deep.equal([]);
  });
});
