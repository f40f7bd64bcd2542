import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'chai';
import { DialInServer } from '../../../src/kubelet/accept/dial-in-server.js';
import { parseRunnerEndpoint } from '../../../src/kubelet/config/runner-endpoint.js';
import { createRunnerClient } from '../../../src/kubelet/runner/runner-client.js';
import type { NodeInfo__Output } from '../../../src/generated/vkcmd/runner/v1/NodeInfo.js';
import type { Fleet } from '../../../src/kubelet/fleet/fleet.js';
import type { RunnerLink } from '../../../src/kubelet/runner/runner-link.js';
import { expectRefused, type DialInRunner } from './support/dial-in-runner.js';
import { countingPod, FleetHarness } from './support/fleet-harness.js';
import { waitFor } from './support/harness.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** The heap in use after a full collection. */
const heapUsedMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

describe('kubelet: runners that dial out (--connect / --accept-runners)', function () {
  this.timeout(90_000);
  let h: FleetHarness;
  let fleet: Fleet;
  let link: RunnerLink;
  const ready = () => h.api.nodes.get('vk-test')?.status?.conditions?.find((c) => c.type === 'Ready');
  const c1 = (name: string) =>
    h.api.pod('default', name)?.status?.containerStatuses?.find((s) => s.name === 'c1');
  const runner = (name: string, credential: Parameters<FleetHarness['runner']>[1]): DialInRunner =>
    h.runner(name, credential);

  beforeEach(async () => {
    h = new FleetHarness();
    fleet = await h.start({ runnerUnreachableGraceSeconds: 30 });
    link = fleet.unit('vk-test')!.link;
  });

  afterEach(async () => {
    await h.close();
  });

  it('serves the node over a connection the runner dialled; a runner killed with SIGKILL takes it back and nothing runs twice', async () => {
    const first = runner('vk-test', { token: 'good-token' });
    first.start();
    await first.waitForOutput(/connecting to https:\/\/127\.0\.0\.1:\d+ as node vk-test/, 20_000);
    await waitFor(() => ready()?.status === 'True', 30_000, 'node Ready');
    const starts = path.join(h.dir, 'starts');
    h.api.addPod(countingPod('p1', 'vk-test', starts));
    await waitFor(() => c1('p1')?.state?.running, 20_000, 'p1 running');

    await first.kill('SIGKILL');
    await waitFor(() => link.state !== 'Synced', 10_000, 'link down');
    const offset = first.output.length;
    first.start();
    await first.waitForOutput(/Connected to the kubelet/, 20_000, offset);
    await waitFor(() => link.isSynced(), 20_000, 'link synced again');
    // The restarted runner re-adopted the process group: still running, started once.
    const status = await waitFor(() => c1('p1')?.state?.running && c1('p1'), 10_000, 'p1 running');
    expect(status.restartCount ?? 0).to.equal(0);
    expect(readFileSync(starts, 'utf8')).to.equal('started\n');
    expect(ready()?.status).to.equal('True');
  });

  it('refuses, on both sides and saying why: a wrong token, a name not granted, another node, and a second runner for a connected node', async () => {
    const owner = runner('vk-test', { token: 'wild-token' });
    owner.start();
    await waitFor(() => link.isSynced(), 30_000, 'owner synced');

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
        runner('vk-test', { cert: h.pki.client('system:node:vk-test', { expired: true }) }),
        401,
        'client certificate refused: the certificate has expired',
      ],
      [
        runner('vk-test', { cert: h.pki.client('system:node:someone-else') }),
        403,
        'the client certificate grants node \\"someone-else\\", not \\"vk-test\\"',
      ],
    ];
    await expectRefused(cases);
    const log = h.log();
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
    expect(link.isSynced(), 'the owner keeps its node').to.equal(true);
    expect(owner.output).to.contain('Connected to the kubelet');
  });

  it('accepts a client certificate whose CN is system:node:<name>', async () => {
    const r = runner('vk-test', { cert: h.pki.client('system:node:vk-test') });
    r.start();
    await waitFor(() => link.isSynced(), 30_000, 'synced over mTLS');
    expect(fleet.runnerConnection('vk-test')?.credential).to.equal('certificate CN=system:node:vk-test');
  });

  it('a dialling runner given --listen unix:// also serves its socket, for grpcurl', async () => {
    const socket = path.join(h.dir, 'sock', 'runner.sock');
    const r = runner('vk-test', { token: 'good-token' });
    r.options.extraArgs = ['--listen', `unix://${socket}`];
    r.start();
    await r.waitForOutput(/connecting to .* as node vk-test \(and listening on .*runner\.sock\)/, 20_000);
    await waitFor(() => link.isSynced(), 30_000, 'synced');
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
    await waitFor(() => link.isSynced(), 30_000, 'owner synced');
    const settle = () => new Promise((r) => setTimeout(r, 200));
    await settle();
    const fdsBefore = openFds();
    const heapBeforeMb = heapUsedMb();

    // A TLS client whose first message is no HTTP request: 400, and the connection is closed.
    const answer = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: fleet.acceptPort()!,
        ca: readFileSync(h.pki.caFile),
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
      const s = net.connect(fleet.acceptPort()!, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => undefined);
    });

    // 500 slowloris connections: some never speak, some complete TLS and send half a request.
    const idle: net.Socket[] = [];
    for (let i = 0; i < 450; i++) {
      const s = net.connect(fleet.acceptPort()!, '127.0.0.1');
      s.on('error', () => undefined);
      idle.push(s);
    }
    for (let i = 0; i < 50; i++) {
      const s = tls.connect({ host: '127.0.0.1', port: fleet.acceptPort()!, rejectUnauthorized: false });
      s.on('secureConnect', () => s.write('GET /vkcmd.runner.v1/connect HTTP/1.1\r\nHost: x\r\n'));
      s.on('error', () => undefined);
      idle.push(s);
    }
    await waitFor(() => fleet.pendingHandshakes() >= 450, 20_000, 'connections pending');
    // Meanwhile the node serves pods.
    h.api.addPod(countingPod('during', 'vk-test', path.join(h.dir, 'starts-during')));
    await waitFor(() => c1('during')?.state?.running, 20_000, 'pod runs during the flood');

    await waitFor(() => fleet.pendingHandshakes() === 0, 20_000, 'every slow connection dropped');
    await waitFor(() => idle.every((s) => s.destroyed || s.closed), 20_000, 'client sockets closed');
    for (const s of idle) s.destroy();
    await waitFor(() => openFds() <= fdsBefore + 2, 10_000, `fds back to ${fdsBefore} (now ${openFds()})`);
    expect(h.log()).to.contain('handshake deadline passed');
    expect(link.isSynced()).to.equal(true);
    // One more pod's records stay (the pod created meanwhile); nothing of the 500 connections does.
    expect(heapUsedMb() - heapBeforeMb, 'heap growth (MB)').to.be.below(3);
  });

  it('refuses to start with a tokens file or key that others can read, naming the fix', async () => {
    const loose = h.pki.tokensFile([['t', 'vk-test']], 'loose-tokens');
    chmodSync(loose, 0o644);
    const err = await DialInServer.open(h.acceptConfig({ tokensFile: loose }), h.logger, {
      claim: () => Promise.resolve({ refuse: 503, reason: 'x' }),
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.contain(`chmod 600 ${loose}`);
    const key = path.join(h.dir, 'loose.key');
    writeFileSync(key, readFileSync(h.pki.serverKeyFile));
    chmodSync(key, 0o640);
    const keyErr = await DialInServer.open(h.acceptConfig({ keyFile: key }), h.logger, {
      claim: () => Promise.resolve({ refuse: 503, reason: 'x' }),
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(keyErr?.message).to.contain(`--accept-runners-key`);
    expect(keyErr?.message).to.contain(`chmod 600 ${key}`);
  });
});
