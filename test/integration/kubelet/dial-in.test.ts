import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'chai';
import type { AcceptRunnersConfig } from '../../../src/kubelet/config/kubelet-config.js';
import { parseRunnerEndpoint } from '../../../src/kubelet/config/runner-endpoint.js';
import { createRunnerClient } from '../../../src/kubelet/runner/runner-client.js';
import type { NodeInfo__Output } from '../../../src/generated/vkcmd/runner/v1/NodeInfo.js';
import { DialInServer } from '../../../src/kubelet/accept/dial-in-server.js';
import { openSingleNodeDialIn, type DialIn } from '../../../src/kubelet/accept/single-node-dial-in.js';
import type { Kubelet } from '../../../src/kubelet/kubelet.js';
import type { WirePod } from '../../../src/kubelet/kube/wire-types.js';
import { makeDialInPki, type DialInPki } from '../../support/dial-in-pki.js';
import { DialInRunner } from './support/dial-in-runner.js';
import { Harness, testConfig, waitFor } from './support/harness.js';

const ready = (h: Harness) => h.api.nodes.get('vk-test')?.status?.conditions?.find((c) => c.type === 'Ready');
const c1 = (h: Harness, name: string) =>
  h.api.pod('default', name)?.status?.containerStatuses?.find((s) => s.name === 'c1');

/** A pod that appends a line to `startsFile` each time its container starts, then sleeps. */
function countingPod(name: string, startsFile: string): WirePod {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: 'vk-test',
      restartPolicy: 'Never',
      containers: [
        { name: 'c1', image: 'none', command: ['sh', '-c', `echo started >> ${startsFile}; exec sleep 600`] },
      ],
    },
  };
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** The heap in use after a full collection. */
const heapUsedMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** Node's kubelet log (the harness writes it to a file unless VK_TEST_V is set). */
const kubeletLog = (h: Harness): string => {
  const file = path.join(h.dir, 'kubelet.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

describe('kubelet: runners that dial out (--connect / --accept-runners)', function () {
  this.timeout(90_000);
  let h: Harness;
  let pki: DialInPki;
  let dialIn: DialIn;
  let kubelet: Kubelet;
  let url: string;
  const runners: DialInRunner[] = [];

  const accept = (overrides: Partial<AcceptRunnersConfig> = {}): AcceptRunnersConfig => ({
    host: '127.0.0.1',
    port: 0,
    certFile: pki.serverCertFile,
    keyFile: pki.serverKeyFile,
    tokensFile: pki.tokensFile(
      [
        ['good-token', 'vk-test'],
        ['wild-token', 'vk-*'],
        ['other-token', 'other-node'],
      ],
      'tokens',
    ),
    clientCaFile: pki.caFile,
    handshakeTimeoutMs: 3000,
    ...overrides,
  });

  const runner = (
    name: string,
    credential: { token?: string; cert?: { certFile: string; keyFile: string } },
  ) => {
    let tokenFile: string | undefined;
    if (credential.token !== undefined) {
      tokenFile = path.join(h.dir, `token-${runners.length}`);
      writeFileSync(tokenFile, `${credential.token}\n`, { mode: 0o600 });
    }
    const r = new DialInRunner({
      url,
      nodeName: name,
      caFile: pki.caFile,
      rootDir: path.join(h.dir, `root-${runners.length}`),
      ...(tokenFile ? { tokenFile } : {}),
      ...(credential.cert ?? {}),
    });
    runners.push(r);
    return r;
  };

  beforeEach(async () => {
    h = new Harness();
    pki = makeDialInPki(h.dir);
    const config = testConfig(h.runner.socketPath, { acceptRunners: accept() });
    const late: { kubelet?: Kubelet } = {};
    dialIn = (await openSingleNodeDialIn(config, h.logger, () => late.kubelet?.link.reconnectNow()))!;
    url = `https://127.0.0.1:${dialIn.server.port}`;
    kubelet = await h.startKubelet(
      { runnerUnreachableGraceSeconds: 30 },
      {
        runnerClient: dialIn.channel.client,
        runnerDescription: dialIn.server.describe(),
        waitStarted: false,
      },
    );
    late.kubelet = kubelet;
  });

  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    await h.close();
    await dialIn.close();
  });

  it('serves the node over a connection the runner dialled; a runner killed with SIGKILL takes it back and nothing runs twice', async () => {
    const first = runner('vk-test', { token: 'good-token' });
    first.start();
    await first.waitForOutput(/connecting to https:\/\/127\.0\.0\.1:\d+ as node vk-test/, 20_000);
    await waitFor(() => ready(h)?.status === 'True', 30_000, 'node Ready');
    const starts = path.join(h.dir, 'starts');
    h.api.addPod(countingPod('p1', starts));
    await waitFor(() => c1(h, 'p1')?.state?.running, 20_000, 'p1 running');

    await first.kill('SIGKILL');
    await waitFor(() => kubelet.link.state !== 'Synced', 10_000, 'link down');
    const offset = first.output.length;
    first.start();
    await first.waitForOutput(/Connected to the kubelet/, 20_000, offset);
    await waitFor(() => kubelet.link.isSynced(), 20_000, 'link synced again');
    // The restarted runner re-adopted the process group: still running, started once.
    const status = await waitFor(() => c1(h, 'p1')?.state?.running && c1(h, 'p1'), 10_000, 'p1 running');
    expect(status.restartCount ?? 0).to.equal(0);
    expect(readFileSync(starts, 'utf8')).to.equal('started\n');
    expect(ready(h)?.status).to.equal('True');
  });

  it('refuses, on both sides and saying why: a wrong token, a name not granted, another node, and a second runner for a connected node', async () => {
    const owner = runner('vk-test', { token: 'wild-token' });
    owner.start();
    await waitFor(() => kubelet.link.isSynced(), 30_000, 'owner synced');

    const cases: Array<[DialInRunner, number, string]> = [
      [runner('vk-test', { token: 'nope' }), 401, 'bearer token not recognised'],
      [
        runner('vk-test', { token: 'other-token' }),
        403,
        'the bearer token does not grant node \\"vk-test\\"',
      ],
      [runner('vk-other', { token: 'wild-token' }), 403, 'this kubelet serves node \\"vk-test\\" only'],
      [
        runner('vk-test', { token: 'good-token' }),
        409,
        'node \\"vk-test\\" is already served by a connected runner',
      ],
      [
        runner('vk-test', { cert: pki.client('system:node:vk-test', { expired: true }) }),
        401,
        'client certificate refused: the certificate has expired',
      ],
      [
        runner('vk-test', { cert: pki.client('system:node:someone-else') }),
        403,
        'the client certificate grants node \\"someone-else\\", not \\"vk-test\\"',
      ],
    ];
    for (const [r] of cases) r.start();
    for (const [r, status, reason] of cases) {
      const [line = ''] = await r.waitForOutput(/.*The kubelet refused this runner.*/, 30_000);
      expect(line).to.contain(`"status":${status}`);
      expect(line).to.contain(`The kubelet refused this runner: ${reason}`);
      expect(r.output, 'refused runners never serve').to.not.contain('Connected to the kubelet');
    }
    const log = kubeletLog(h);
    for (const reason of [
      'bearer token not recognised',
      'does not grant node',
      'serves node \\"vk-test\\" only',
      'already served by a connected runner',
      'the certificate has expired (CERT_HAS_EXPIRED)',
      'grants node \\"someone-else\\"',
    ]) {
      expect(log, `kubelet log names: ${reason}`).to.contain(reason);
    }
    expect(kubelet.link.isSynced(), 'the owner keeps its node').to.equal(true);
    expect(owner.output).to.contain('Connected to the kubelet');
  });

  it('accepts a client certificate whose CN is system:node:<name>', async () => {
    const r = runner('vk-test', { cert: pki.client('system:node:vk-test') });
    r.start();
    await waitFor(() => kubelet.link.isSynced(), 30_000, 'synced over mTLS');
    expect(dialIn.channel.connection()?.credential).to.equal('certificate CN=system:node:vk-test');
  });

  it('a dialling runner given --listen unix:// also serves its socket, for grpcurl', async () => {
    const socket = path.join(h.dir, 'sock', 'runner.sock');
    const r = runner('vk-test', { token: 'good-token' });
    r.options.extraArgs = ['--listen', `unix://${socket}`];
    r.start();
    await r.waitForOutput(/connecting to .* as node vk-test \(and listening on .*runner\.sock\)/, 20_000);
    await waitFor(() => kubelet.link.isSynced(), 30_000, 'synced');
    const local = createRunnerClient(parseRunnerEndpoint(`unix://${socket}`));
    try {
      const info = await new Promise<NodeInfo__Output>((resolve, reject) =>
        local.getNodeInfo({}, { deadline: Date.now() + 10_000 }, (err, v) =>
          err || !v ? reject(err) : resolve(v),
        ),
      );
      expect(info.hostname).to.be.a('string').and.not.equal('');
    } finally {
      local.close();
    }
  });

  it('drops malformed first messages and 500 connections that never authenticate, without holding memory or fds, while the node keeps working', async () => {
    const owner = runner('vk-test', { token: 'good-token' });
    owner.start();
    await waitFor(() => kubelet.link.isSynced(), 30_000, 'owner synced');
    const settle = () => new Promise((r) => setTimeout(r, 200));
    await settle();
    const fdsBefore = openFds();
    const heapBeforeMb = heapUsedMb();

    // A TLS client whose first message is no HTTP request: 400, and the connection is closed.
    const answer = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: dialIn.server.port,
        ca: readFileSync(pki.caFile),
        servername: 'localhost',
      });
      let text = '';
      s.on('secureConnect', () => s.write('HELLO\r\n\r\n'));
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).to.match(/^HTTP\/1\.1 400 Bad Request/);
    expect(answer).to.contain('malformed request: not an HTTP/1.1 request');

    // Plain text where TLS is expected.
    await new Promise<void>((resolve) => {
      const s = net.connect(dialIn.server.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => undefined);
    });

    // 500 slowloris connections: some never speak, some complete TLS and send half a request.
    const idle: net.Socket[] = [];
    for (let i = 0; i < 450; i++) {
      const s = net.connect(dialIn.server.port, '127.0.0.1');
      s.on('error', () => undefined);
      idle.push(s);
    }
    for (let i = 0; i < 50; i++) {
      const s = tls.connect({ host: '127.0.0.1', port: dialIn.server.port, rejectUnauthorized: false });
      s.on('secureConnect', () => s.write('GET /vkcmd.runner.v1/connect HTTP/1.1\r\nHost: x\r\n'));
      s.on('error', () => undefined);
      idle.push(s);
    }
    await waitFor(() => dialIn.server.pendingHandshakes() >= 450, 20_000, 'connections pending');
    // Meanwhile the node serves pods.
    h.api.addPod(countingPod('during', path.join(h.dir, 'starts-during')));
    await waitFor(() => c1(h, 'during')?.state?.running, 20_000, 'pod runs during the flood');

    await waitFor(() => dialIn.server.pendingHandshakes() === 0, 20_000, 'every slow connection dropped');
    await waitFor(() => idle.every((s) => s.destroyed || s.closed), 20_000, 'client sockets closed');
    for (const s of idle) s.destroy();
    await waitFor(() => openFds() <= fdsBefore + 2, 10_000, `fds back to ${fdsBefore} (now ${openFds()})`);
    expect(kubeletLog(h)).to.contain('handshake deadline passed');
    expect(kubelet.link.isSynced()).to.equal(true);
    // One more pod's records stay (the pod created meanwhile); nothing of the 500 connections does.
    expect(heapUsedMb() - heapBeforeMb, 'heap growth (MB)').to.be.below(3);
  });

  it('refuses to start with a tokens file or key that others can read, naming the fix', async () => {
    const loose = pki.tokensFile([['t', 'vk-test']], 'loose-tokens');
    chmodSync(loose, 0o644);
    const err = await DialInServer.open(accept({ tokensFile: loose }), h.logger, () =>
      Promise.resolve({ refuse: 503, reason: 'x' }),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.contain(`chmod 600 ${loose}`);
    const key = path.join(h.dir, 'loose.key');
    writeFileSync(key, readFileSync(pki.serverKeyFile));
    chmodSync(key, 0o640);
    const keyErr = await DialInServer.open(accept({ keyFile: key }), h.logger, () =>
      Promise.resolve({ refuse: 503, reason: 'x' }),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(keyErr?.message).to.contain(`--accept-runners-key`);
    expect(keyErr?.message).to.contain(`chmod 600 ${key}`);
  });
});
