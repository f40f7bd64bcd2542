import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { expect } from 'chai';
import type { WirePod } from '../../../src/kubelet/kube/wire-types.js';
import type { Fleet } from '../../../src/kubelet/fleet/fleet.js';
import { expectRefused, type DialInRunner } from './support/dial-in-runner.js';
import { FleetHarness } from './support/fleet-harness.js';
import { waitFor } from './support/harness.js';

/** A pod on `nodeName` that prints a line naming itself, counts its starts in `startsFile`, then sleeps. */
function pod(name: string, nodeName: string, startsFile: string): WirePod {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName,
      restartPolicy: 'Never',
      containers: [
        {
          name: 'c1',
          image: 'none',
          command: ['sh', '-c', `echo hello from ${name}; echo started >> ${startsFile}; exec sleep 600`],
        },
      ],
    },
  };
}

const readable = (file: string): boolean => existsSync(file) && readFileSync(file, 'utf8') !== '';

/** GET on a node's kubelet API (anonymous, AlwaysAllow in the harness). */
function get(port: number, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: pathname, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** What a runner sends when it leaves: POST /vkcmd.runner.v1/leave with its token. */
function leave(port: number, caFile: string, token: string, nodeName: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(caFile), servername: 'localhost' });
    let text = '';
    s.on('secureConnect', () =>
      s.write(
        `POST /vkcmd.runner.v1/leave HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
          `Vk-Cmd-Node-Name: ${nodeName}\r\nContent-Length: 0\r\n\r\n`,
      ),
    );
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
}

describe('kubelet --fleet: one node per runner that dials in', function () {
  this.timeout(120_000);
  let h: FleetHarness;
  let fleet: Fleet;
  // A range of its own per run, so parallel suites on this host rarely meet; a busy port is skipped anyway.
  const portFrom = 31_000 + Math.floor(Math.random() * 300) * 10;
  const portTo = portFrom + 9;
  const ready = (node: string) => h.api.nodes.get(node)?.status?.conditions?.find((c) => c.type === 'Ready');
  const c1 = (name: string) =>
    h.api.pod('default', name)?.status?.containerStatuses?.find((s) => s.name === 'c1');
  const endpointPort = (node: string) =>
    h.api.nodes.get(node)?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const startFleet = (acceptPort = 0) =>
    h.start({
      runnerUnreachableGraceSeconds: 3,
      fleet: { portFrom, portTo },
      acceptRunners: h.acceptConfig({ port: acceptPort }),
    });

  /** Runners for vk-a (token vk-*) and vk-b (certificate system:node:vk-b), both Ready. */
  async function twoNodes(): Promise<[DialInRunner, DialInRunner]> {
    const a = h.runner('vk-a', { token: 'wild-token' });
    const b = h.runner('vk-b', { cert: h.pki.client('system:node:vk-b') });
    a.start();
    b.start();
    await waitFor(() => ready('vk-a')?.status === 'True', 40_000, 'vk-a Ready');
    await waitFor(() => ready('vk-b')?.status === 'True', 40_000, 'vk-b Ready');
    return [a, b];
  }

  beforeEach(async () => {
    h = new FleetHarness();
    fleet = await startFleet();
  });

  afterEach(async () => h.close());

  it('registers a node per runner, each with its Lease, its kubelet API port from the range in daemonEndpoints, and its pods and logs', async () => {
    await twoNodes();
    expect(fleet.nodeNames().sort()).to.deep.equal(['vk-a', 'vk-b']);
    const ports = ['vk-a', 'vk-b'].map((n) => endpointPort(n)!);
    expect(ports[0]).to.not.equal(ports[1]);
    for (const [i, node] of ['vk-a', 'vk-b'].entries()) {
      expect(ports[i]).to.be.within(portFrom, portTo);
      expect(fleet.unit(node)?.port).to.equal(ports[i]);
      expect(h.api.leases.get(`kube-node-lease/${node}`)?.spec?.holderIdentity).to.equal(node);
    }
    expect(fleet.runnerConnection('vk-b')?.credential).to.equal('certificate CN=system:node:vk-b');

    h.api.addPod(pod('pa', 'vk-a', path.join(h.dir, 'starts-a')));
    h.api.addPod(pod('pb', 'vk-b', path.join(h.dir, 'starts-b')));
    await waitFor(() => c1('pa')?.state?.running, 30_000, 'pa running');
    await waitFor(() => c1('pb')?.state?.running, 30_000, 'pb running');

    // Each node's API lists its own pods and reads its own runner's logs.
    const [portA, portB] = ports as [number, number];
    const names = (body: string) =>
      (JSON.parse(body) as { items: WirePod[] }).items.map((p) => p.metadata?.name);
    expect(names((await get(portA, '/pods')).body)).to.deep.equal(['pa']);
    expect(names((await get(portB, '/pods')).body)).to.deep.equal(['pb']);
    // The starts file is written after the echo, so the line is in the log by then.
    await waitFor(
      () => readable(path.join(h.dir, 'starts-a')) && readable(path.join(h.dir, 'starts-b')),
      10_000,
      'starts',
    );
    const logA = await get(portA, '/containerLogs/default/pa/c1');
    expect(logA.status).to.equal(200);
    expect(logA.body).to.equal('hello from pa\n');
    expect((await get(portB, '/containerLogs/default/pb/c1')).body).to.equal('hello from pb\n');
    expect((await get(portB, '/containerLogs/default/pa/c1')).status).to.equal(404);
  });

  it('a runner killed with SIGKILL turns only its node NotReady; it comes back, re-adopts its pod, and nothing runs twice', async () => {
    const [a] = await twoNodes();
    const startsA = path.join(h.dir, 'starts-a');
    h.api.addPod(pod('pa', 'vk-a', startsA));
    h.api.addPod(pod('pb', 'vk-b', path.join(h.dir, 'starts-b')));
    await waitFor(() => c1('pa')?.state?.running, 30_000, 'pa running');
    await waitFor(() => c1('pb')?.state?.running, 30_000, 'pb running');

    await a.kill('SIGKILL');
    const down = await waitFor(
      () => ready('vk-a')?.status !== 'True' && ready('vk-a'),
      30_000,
      'vk-a NotReady',
    );
    expect(down.reason).to.match(/^Runner(Unreachable|NotResponding)$/);
    expect(ready('vk-b')?.status, 'the other node stays Ready').to.equal('True');
    expect(c1('pa')?.state?.running, 'pa keeps its last status').to.not.equal(undefined);

    const offset = a.output.length;
    a.start();
    await a.waitForOutput(/Connected to the kubelet/, 30_000, offset);
    await waitFor(() => ready('vk-a')?.status === 'True', 30_000, 'vk-a Ready again');
    const status = await waitFor(() => c1('pa')?.state?.running && c1('pa'), 10_000, 'pa running');
    expect(status.restartCount ?? 0).to.equal(0);
    expect(readFileSync(startsA, 'utf8')).to.equal('started\n');
    expect(fleet.nodeNames().sort()).to.deep.equal(['vk-a', 'vk-b']);
  });

  it('refuses, on both sides and saying why, a second runner for a connected node and a credential that does not name the node', async () => {
    await twoNodes();
    const cases: Array<[DialInRunner, number, string]> = [
      [h.runner('vk-a', { token: 'good-token' }), 403, 'the bearer token does not grant node \\"vk-a\\"'],
      [
        h.runner('vk-a', { cert: h.pki.client('system:node:vk-b') }),
        403,
        'the client certificate grants node \\"vk-b\\", not \\"vk-a\\"',
      ],
      [
        h.runner('vk-b', { token: 'wild-token' }),
        409,
        'node \\"vk-b\\" is already served by a connected runner',
      ],
    ];
    await expectRefused(cases);
    const log = h.log();
    for (const reason of [
      'does not grant node \\"vk-a\\"',
      'grants node \\"vk-b\\"',
      'already served by a connected runner',
    ]) {
      expect(log, `kubelet log names: ${reason}`).to.contain(reason);
    }
    expect(fleet.nodeNames().sort(), 'no node for a refused runner').to.deep.equal(['vk-a', 'vk-b']);
    expect(ready('vk-a')?.status).to.equal('True');
    expect(ready('vk-b')?.status).to.equal('True');
  });

  it('a kubelet restart: every runner reconnects, every node keeps its port and re-adopts its pods; nothing runs twice', async () => {
    await twoNodes();
    const starts = { a: path.join(h.dir, 'starts-a'), b: path.join(h.dir, 'starts-b') };
    h.api.addPod(pod('pa', 'vk-a', starts.a));
    h.api.addPod(pod('pb', 'vk-b', starts.b));
    await waitFor(() => c1('pa')?.state?.running, 30_000, 'pa running');
    await waitFor(() => c1('pb')?.state?.running, 30_000, 'pb running');
    const ports = { a: endpointPort('vk-a'), b: endpointPort('vk-b') };
    const acceptPort = fleet.acceptPort()!;

    await fleet.stop();
    fleet = await startFleet(acceptPort);
    await waitFor(() => fleet.unit('vk-a')?.kubelet?.link.isSynced(), 40_000, 'vk-a back');
    await waitFor(() => fleet.unit('vk-b')?.kubelet?.link.isSynced(), 40_000, 'vk-b back');
    expect(fleet.unit('vk-a')?.port).to.equal(ports.a);
    expect(fleet.unit('vk-b')?.port).to.equal(ports.b);
    expect(endpointPort('vk-a')).to.equal(ports.a);
    await waitFor(() => ready('vk-a')?.status === 'True', 30_000, 'vk-a Ready');
    await waitFor(() => ready('vk-b')?.status === 'True', 30_000, 'vk-b Ready');
    expect(c1('pa')?.state?.running).to.not.equal(undefined);
    expect(c1('pb')?.state?.running).to.not.equal(undefined);
    expect(readFileSync(starts.a, 'utf8')).to.equal('started\n');
    expect(readFileSync(starts.b, 'utf8')).to.equal('started\n');
  });

  it('a runner stopped with --delete-node-on-exit has its Node and Lease deleted and its port freed; the other nodes are untouched', async () => {
    const [, b] = await twoNodes();
    const c = h.runner('vk-c', { token: 'wild-token' }, ['--delete-node-on-exit']);
    c.start();
    await waitFor(() => ready('vk-c')?.status === 'True', 40_000, 'vk-c Ready');
    const portC = fleet.unit('vk-c')!.port;
    expect(portC).to.be.within(portFrom, portTo);
    await c.kill('SIGTERM');
    expect(c.output).to.contain('The kubelet deleted this node');
    expect(h.api.nodes.has('vk-c')).to.equal(false);
    expect(h.api.leases.has('kube-node-lease/vk-c')).to.equal(false);
    expect(fleet.nodeNames().sort()).to.deep.equal(['vk-a', 'vk-b']);
    expect(c.output).to.contain('node \\"vk-c\\" deleted');

    // The same request by hand, for a runner gone without it: only a credential naming the node may.
    await b.kill('SIGKILL');
    const wrong = await leave(fleet.acceptPort()!, h.pki.caFile, 'good-token', 'vk-b');
    expect(wrong).to.match(/^HTTP\/1\.1 403 /);
    expect(h.api.nodes.has('vk-b'), 'a credential not naming the node cannot delete it').to.equal(true);
    const answer = await leave(fleet.acceptPort()!, h.pki.caFile, 'wild-token', 'vk-b');
    expect(answer).to.match(/^HTTP\/1\.1 200 OK/);
    expect(answer).to.contain('node "vk-b" deleted');
    expect(h.api.nodes.has('vk-b')).to.equal(false);
    expect(fleet.nodeNames()).to.deep.equal(['vk-a']);
    expect(ready('vk-a')?.status).to.equal('True');

    // A new node gets a port of the range again.
    const d = h.runner('vk-d', { token: 'wild-token' });
    d.start();
    await waitFor(() => ready('vk-d')?.status === 'True', 40_000, 'vk-d Ready');
    expect(endpointPort('vk-d')).to.be.within(portFrom, portTo);
    expect(endpointPort('vk-d')).to.not.equal(endpointPort('vk-a'));
  });
});
