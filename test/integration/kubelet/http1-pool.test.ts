import { expect } from 'chai';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Http1Pool, Http1RequestError } from '../../../src/kubelet/kube/http1-pool.js';
import { KubeTransport } from '../../../src/kubelet/kube/kube-transport.js';
import { credentialSource } from '../../../src/kubelet/kube/kube-credentials.js';
import { ApiError } from '../../../src/kubelet/kube/kube-api.js';

/** Answers each request the way `answer` says, given the request head and the connection's request count. */
type Answer = (head: string, nth: number, socket: net.Socket) => void;

/** A raw TCP server on loopback that reads request heads (and bodies with Content-Length) and answers by script. */
class ScriptedServer {
  connections = 0;
  heads: string[] = [];
  answer: Answer = (_h, _n, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;

  async start(): Promise<number> {
    this.server = net.createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffered = '';
      let nth = 0;
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (;;) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buffered.slice(0, end);
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (buffered.length < end + 4 + length) return;
          buffered = buffered.slice(end + 4 + length);
          this.heads.push(head);
          this.answer(head, ++nth, socket);
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const ok = (body: string): string =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const get = (path = '/x'): { head: string; body: undefined; timeoutMs: number } => ({
  head: `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`,
  body: undefined,
  timeoutMs: 5000,
});

describe('kubelet: Http1Pool and the transport over it (plain TCP on loopback)', () => {
  let server: ScriptedServer;
  let port: number;
  let pool: Http1Pool;

  beforeEach(async () => {
    server = new ScriptedServer();
    port = await server.start();
    pool = new Http1Pool({ host: '127.0.0.1', port, tls: undefined }, 2, 60_000);
  });

  afterEach(async () => {
    pool.close();
    await server.stop();
  });

  it('reuses a connection, caps them at maxSockets and queues the rest in order', async () => {
    for (let i = 0; i < 5; i++) expect((await pool.request(get())).statusCode).to.equal(200);
    expect(server.connections).to.equal(1);
    server.answer = (head, _n, s) => setTimeout(() => s.write(ok(head.split(' ')[1]!)), 5);
    const bodies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => pool.request(get(`/${i}`)).then((r) => r.body.toString())),
    );
    expect(bodies).to.deep.equal(['/0', '/1', '/2', '/3', '/4', '/5', '/6', '/7']);
    expect(server.connections).to.equal(2);
  });

  it('reads chunked answers and closes a connection the server asks to close', async () => {
    server.answer = (_h, _n, s) =>
      s.write(
        'HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n',
      );
    expect((await pool.request(get())).body.toString()).to.equal('ab');
    expect((await pool.request(get())).body.toString()).to.equal('ab');
    expect(server.connections).to.equal(2);
  });

  it('marks a request stale when a reused connection is closed before any answer, not a fresh one', async () => {
    server.answer = (_h, nth, s) => (nth === 1 ? s.write(ok('{}')) : s.destroy());
    await pool.request(get());
    let err: unknown;
    await pool.request(get()).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(Http1RequestError);
    expect(err).to.deep.include({ staleConnection: true, code: 'ECONNRESET', message: 'socket hang up' });
    server.answer = (_h, _n, s) => s.destroy();
    err = undefined;
    await pool.request(get()).catch((e: unknown) => (err = e));
    expect(err, 'a new connection').to.deep.include({ staleConnection: false, message: 'socket hang up' });
  });

  it('fails a request whose answer breaks off, or that gets none in time, or is aborted', async () => {
    server.answer = (_h, _n, s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    let err: unknown;
    await pool.request(get()).catch((e: unknown) => (err = e));
    expect(err).to.deep.include({
      message: 'connection closed while reading the answer',
      staleConnection: false,
    });
    server.answer = () => undefined;
    err = undefined;
    await pool.request({ ...get(), timeoutMs: 100 }).catch((e: unknown) => (err = e));
    expect(err).to.deep.include({ message: 'no answer within 100 ms' });
    const abort = new AbortController();
    const pending = pool.request({ ...get(), signal: abort.signal }).catch((e: unknown) => e);
    setTimeout(() => abort.abort(), 20);
    expect(await pending).to.deep.include({ name: 'AbortError' });
  });

  it('transport: retries once on a stale connection and turns failures into ApiError', async () => {
    const t = new KubeTransport(
      {
        server: `http://127.0.0.1:${port}`,
        caPem: undefined,
        insecureSkipTlsVerify: false,
        tlsServerName: undefined,
        clientCertPem: undefined,
        clientKeyPem: undefined,
        credentials: { kind: 'token', token: 's' },
        impersonationHeaders: { 'Impersonate-Group': ['a', 'b'] },
        namespace: 'default',
      },
      credentialSource({ kind: 'token', token: 's' }),
      { maxSockets: 1, userAgent: 'ua' },
    );
    try {
      // Every second request on a connection finds it closed: the retry opens a new one.
      server.answer = (_h, nth, s) => (nth === 2 ? s.destroy() : s.write(ok('{"n":1}')));
      expect(
        await t.request({ method: 'GET', path: '/a', query: { watch: undefined, q: 'x y' } }),
      ).to.deep.equal({ n: 1 });
      expect(
        await t.request({
          method: 'PATCH',
          path: '/b',
          body: { é: 1 },
          contentType: 'application/merge-patch+json',
        }),
      ).to.deep.equal({ n: 1 });
      expect(server.connections).to.equal(2);
      const patch = server.heads[2]!;
      expect(patch).to.match(/^PATCH \/b HTTP\/1\.1\r\n/);
      expect(patch).to.include('\r\nContent-Type: application/merge-patch+json\r\nContent-Length: 8\r\n');
      expect(server.heads[0]).to.match(/^GET \/a\?q=x\+y HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
      expect(server.heads[0]).to.include(
        '\r\nImpersonate-Group: a\r\nImpersonate-Group: b\r\nAuthorization: Bearer s\r\n',
      );
      server.answer = (_h, _n, s) => s.destroy();
      let err: unknown;
      await t.request({ method: 'GET', path: '/c' }).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(ApiError);
      expect(err).to.deep.include({ code: 0, message: 'socket hang up' });
    } finally {
      t.close();
    }
  });
});
