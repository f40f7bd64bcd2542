import { expect } from 'chai';
import net from 'node:net';
import WebSocket from 'ws';
import { KubeletApiFixture } from './support/kubelet-api-fixture.js';

/** A WebSocket client of the kubelet API that records every message. */
class WsClient {
  readonly messages: Buffer[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number }>;
  private waiters: Array<() => void> = [];

  constructor(f: KubeletApiFixture, path: string, protocols: string[]) {
    this.ws = new WebSocket(`wss://127.0.0.1:${f.port}${path}`, protocols, {
      ca: f.servingCertPem,
      cert: f.apiserverCert.cert,
      key: f.apiserverCert.key,
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused with ${res.statusCode}`)),
      );
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve({ code })));
    this.ws.on('message', (data: Buffer) => {
      this.messages.push(Buffer.from(data));
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  /** Concatenated payloads of a binary channel. */
  channelBytes(n: number): Buffer {
    return Buffer.concat(this.messages.filter((m) => m[0] === n).map((m) => m.subarray(1)));
  }

  channel(n: number): string {
    return this.channelBytes(n).toString('utf8');
  }

  /** Concatenated, decoded payloads of a base64 channel. */
  base64Channel(n: number): string {
    return this.messages
      .map((m) => m.toString('latin1'))
      .filter((m) => m[0] === String(n))
      .map((m) => Buffer.from(m.slice(1), 'base64').toString('utf8'))
      .join('');
  }

  waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; got ${this.messages.length} messages`)),
        timeoutMs,
      );
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }
}

describe('KubeletApiServer streaming over WebSocket', function () {
  this.timeout(30_000);
  const f = KubeletApiFixture.use();

  it('v5: exec with stdin half-closed by the close signal, status on the error channel', async () => {
    const client = new WsClient(f, '/exec/team-a/talker/c1?command=cat&input=1&output=1', [
      'v5.channel.k8s.io',
    ]);
    await client.opened;
    expect(client.ws.protocol).to.equal('v5.channel.k8s.io');
    client.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('over websocket')]));
    client.ws.send(Buffer.from([255, 0]));
    const { code } = await client.closed;
    expect(code).to.equal(1000);
    expect(client.messages[0]).to.deep.equal(
      Buffer.from([1]),
      'an empty message on stdout opens the session',
    );
    expect(client.channel(1)).to.equal('over websocket');
    expect(JSON.parse(client.channel(3))).to.deep.equal({ metadata: {}, status: 'Success' });
  });

  it('v4 base64: output and the exit code', async () => {
    const path = `/exec/team-a/talker/c1?command=sh&command=-c&command=${encodeURIComponent('echo hi; exit 4')}&output=1`;
    const client = new WsClient(f, path, ['v4.base64.channel.k8s.io']);
    await client.opened;
    await client.closed;
    expect(client.base64Channel(1)).to.equal('hi\n');
    const status = JSON.parse(client.base64Channel(3)) as { reason: string; details: unknown };
    expect(status.reason).to.equal('NonZeroExitCode');
    expect(status.details).to.deep.equal({ causes: [{ reason: 'ExitCode', message: '4' }] });
  });

  it('channel.k8s.io: resize messages reach the runner; an unknown subprotocol is refused', async () => {
    const client = new WsClient(f, '/exec/team-a/talker/c1?command=cat&input=1&output=1&tty=1', [
      'channel.k8s.io',
    ]);
    await client.opened;
    client.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":90,"Height":30}')]));
    await f.runner.streaming.waitFor(
      () => f.runner.streaming.execStarts.at(-1)?.size?.width === 90,
      'the exec start with its size',
    );
    client.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":91,"Height":31}')]));
    await f.runner.streaming.waitFor(() => f.runner.streaming.resizes.at(-1)?.width === 91, 'a resize');
    client.ws.close();
    await client.closed;

    const refused = new WsClient(f, '/exec/team-a/talker/c1?command=true&output=1', ['v9.channel.k8s.io']);
    const error = await refused.opened.then(
      () => 'opened',
      (err: Error) => err.message,
    );
    expect(error).to.equal('upgrade refused with 403');
  });

  it('port-forward: the port prefix on both channels, then data both ways', async () => {
    const server = net.createServer((socket) => socket.end('hello from the pod'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const client = new WsClient(f, `/portForward/team-a/talker?port=${port}`, ['v4.channel.k8s.io']);
      await client.opened;
      await client.closed;
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16LE(port);
      expect(client.messages[0]).to.deep.equal(Buffer.concat([Buffer.from([0]), prefix]));
      expect(client.messages[1]).to.deep.equal(Buffer.concat([Buffer.from([1]), prefix]));
      expect(client.channelBytes(0).subarray(2).toString()).to.equal('hello from the pod');
      expect(client.channelBytes(1).subarray(2).toString()).to.equal('');
    } finally {
      server.close();
    }
  });
});
