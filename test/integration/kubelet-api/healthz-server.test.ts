import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { pino } from 'pino';
import { HealthzServer } from '../../../src/kubelet/api/healthz-server.js';

function request(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HealthzServer (--healthz-port)', function () {
  this.timeout(10_000);
  let healthy: boolean;
  let ready: { ready: boolean; reason: string };
  const servers: HealthzServer[] = [];
  const make = (port = 0) => {
    const server = new HealthzServer({
      bindAddress: '127.0.0.1',
      port,
      health: { healthy: () => healthy, ready: () => ready },
      logger: pino({ level: 'silent' }),
      retryMs: 20,
    });
    servers.push(server);
    return server;
  };

  beforeEach(() => {
    healthy = true;
    ready = { ready: true, reason: '' };
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('answers /healthz and /readyz over plain HTTP without credentials', async () => {
    const server = make();
    await server.start();
    const port = server.port()!;
    expect(await request(port, '/healthz')).to.deep.equal({ status: 200, body: 'ok' });
    expect(await request(port, '/readyz')).to.deep.equal({ status: 200, body: 'ok' });
    healthy = false;
    ready = { ready: false, reason: 'runner link is Disconnected' };
    expect((await request(port, '/healthz')).status).to.equal(500);
    expect(await request(port, '/readyz')).to.deep.equal({
      status: 500,
      body: 'not ready: runner link is Disconnected',
    });
    expect((await request(port, '/pods')).status).to.equal(404);
    expect((await request(port, '/healthz', 'POST')).status).to.equal(405);
  });

  it('keeps trying while the port is taken, as the kubelet does, and serves once it is free', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const server = make(port);
    const started = server.start();
    let listening = false;
    void started.then(() => (listening = true));
    // A request reaches the blocker, not the healthz server: it is not listening yet.
    const probe = new Promise<void>((resolve) => blocker.once('connection', (s) => (s.destroy(), resolve())));
    const refused = request(port, '/healthz').catch(() => 'closed');
    await probe;
    expect(await refused).to.equal('closed');
    expect(listening).to.equal(false);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await started;
    expect(await request(port, '/healthz')).to.deep.equal({ status: 200, body: 'ok' });
  });

  it('an error while listening (a failed accept) is logged and the server keeps serving', async () => {
    const logged: Array<{ msg: string }> = [];
    const server = new HealthzServer({
      bindAddress: '127.0.0.1',
      port: 0,
      health: { healthy: () => healthy, ready: () => ready },
      logger: pino({ level: 'debug' }, { write: (line: string) => logged.push(JSON.parse(line)) }),
      retryMs: 20,
    });
    servers.push(server);
    await server.start();
    const inner = (server as unknown as { server: http.Server }).server;
    let relistens = 0;
    const listen = inner.listen.bind(inner);
    inner.listen = ((...args: Parameters<typeof listen>) => (relistens++, listen(...args))) as typeof listen;
    inner.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
    expect(logged.map((l) => l.msg)).to.include('Healthz server error');
    expect(await request(server.port()!, '/healthz')).to.deep.equal({ status: 200, body: 'ok' });
    expect(relistens).to.equal(0);
  });
});
