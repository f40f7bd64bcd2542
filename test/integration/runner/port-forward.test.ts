import http from 'node:http';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { isRunning, RunnerHarness, scriptPod, unary, type PodWatcher } from './support/runner-harness.js';
import { ForwardClient } from './support/interactive-client.js';

function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)),
  );
}

describe('runner: PortForward', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;
  let uid: string;

  before(async () => {
    h = new RunnerHarness();
    await h.startProcess();
    watcher = h.watch();
    const spec = scriptPod('web', 'exec sleep 300\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    uid = spec.uid!;
  });
  after(async () => h.close());

  it('carries two concurrent connections to a local HTTP server', async () => {
    // The server answers only once both requests are in: the two connections are open at once.
    const waiting: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
      waiting.push(res);
      if (waiting.length < 2) return;
      waiting.forEach((r, i) => r.end(`hello ${i}`));
    });
    const port = await listen(server);
    try {
      const a = new ForwardClient(h.client, { uid, port });
      const b = new ForwardClient(h.client, { namespace: 'ns1', name: 'web', port });
      for (const f of [a, b]) f.send('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(a.connected && b.connected).to.equal(true);
      for (const r of [ra, rb]) expect(r).to.match(/^HTTP\/1\.1 200 OK\r\n/);
      expect([ra, rb].map((r) => r.slice(-7)).sort()).to.deep.equal(['hello 0', 'hello 1']);
    } finally {
      server.close();
    }
  });

  it('half-closes: the server sees the end of the request and still answers', async () => {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('end', () => socket.end(`you sent ${got.length} bytes`));
    });
    const port = await listen(server);
    try {
      const f = new ForwardClient(h.client, { uid, port });
      f.send('12345');
      f.closeWrite();
      expect(await f.done).to.equal('you sent 5 bytes');
    } finally {
      server.close();
    }
  });

  it('fails only the call whose connection is refused', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const echo = net.createServer((s) => s.pipe(s));
    const echoPort = await listen(echo);
    try {
      const ok = new ForwardClient(h.client, { uid, port: echoPort });
      const refused = await new ForwardClient(h.client, { uid, port }).done.catch(
        (e: grpc.ServiceError) => e,
      );
      expect(refused).to.include({ code: grpc.status.UNAVAILABLE });
      expect((refused as grpc.ServiceError).details).to.match(/connection refused/);
      ok.send('still here');
      ok.closeWrite();
      expect(await ok.done).to.equal('still here');
    } finally {
      echo.close();
    }
  });

  it('needs a pod that exists and runs', async () => {
    const missing = await new ForwardClient(h.client, { uid: 'nope', port: 80 }).done.catch(
      (e: grpc.ServiceError) => e,
    );
    expect(missing).to.include({ code: grpc.status.NOT_FOUND, details: 'pod uid nope not found' });
    const spec = scriptPod('over', 'exit 0\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, (p) => p.containerStatuses[0]?.state?.state === 'terminated');
    const over = await new ForwardClient(h.client, { uid: spec.uid!, port: 80 }).done.catch(
      (e: grpc.ServiceError) => e,
    );
    expect(over).to.include({ code: grpc.status.NOT_FOUND, details: 'pod ns1/over is not running' });
    const bad = await new ForwardClient(h.client, { uid, port: 0 }).done.catch((e: grpc.ServiceError) => e);
    expect(bad).to.include({ code: grpc.status.INVALID_ARGUMENT });
    await unary(h.client, 'GetPod', { uid });
  });
});
