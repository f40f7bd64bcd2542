import net from 'node:net';
import { expect } from 'chai';
import { SpdyTestClient, type TestSpdyStream } from '../../support/spdy-test-client.js';
import { KubeletApiFixture } from './support/kubelet-api-fixture.js';

const MIB = 2 ** 20;

/** `bytes` bytes whose every 32-bit word holds its own index: a lost, repeated or reordered chunk shows. */
function pattern(bytes: number): Buffer {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) data.writeUInt32LE(i / 4, i);
  return data;
}

/** A loopback source that sends `data` to its one connection with back-pressure, and says how far it got. */
interface Source {
  port: number;
  /** Bytes the kernel took from the source so far. */
  flushed(): number;
  /** The source is waiting for its socket to drain. */
  blocked(): boolean;
  close(): Promise<void>;
}

async function startSource(data: Buffer, chunkBytes = 64 * 1024): Promise<Source> {
  let socket: net.Socket | undefined;
  let waiting = false;
  const server = net.createServer((s) => {
    socket = s;
    s.on('error', () => undefined);
    let offset = 0;
    const pump = (): void => {
      waiting = false;
      while (offset < data.length) {
        const piece = data.subarray(offset, offset + chunkBytes);
        offset += piece.length;
        if (!s.write(piece)) {
          waiting = true;
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    flushed: () => (socket ? socket.bytesWritten - socket.writableLength : 0),
    blocked: () => waiting,
    close: () =>
      new Promise((resolve) => {
        socket?.destroy();
        server.close(() => resolve());
      }),
  };
}

function received(stream: TestSpdyStream): number {
  return stream.chunks.reduce((n, c) => n + c.length, 0);
}

/** Resolves once `probe` returned the same value `times` times in a row, `everyMs` apart: nothing moves any more. */
async function settled(
  probe: () => number,
  times: number,
  everyMs: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = probe();
  let same = 0;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const now = probe();
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= times) return now;
  }
  throw new Error(`still moving after ${timeoutMs} ms (at ${last})`);
}

describe('KubeletApiServer port-forward: large transfers and back-pressure (SPDY)', function () {
  this.timeout(120_000);
  const f = KubeletApiFixture.use();

  const forward = async (port: number): Promise<{ client: SpdyTestClient; data: TestSpdyStream }> => {
    const client = await SpdyTestClient.connect({
      port: f.port,
      path: '/portForward/team-a/talker',
      ca: f.servingCertPem,
      protocols: ['portforward.k8s.io'],
      ...f.apiserverCert,
    });
    if (!(client instanceof SpdyTestClient)) throw new Error(`refused: ${client.status} ${client.body}`);
    await client.openStream({ streamType: 'error', port: String(port), requestID: '0' });
    const data = await client.openStream({ streamType: 'data', port: String(port), requestID: '0' });
    return { client, data };
  };

  it('moves 32 MiB from the pod intact and in order', async () => {
    const sent = pattern(32 * MIB);
    const source = await startSource(sent);
    try {
      const { client, data } = await forward(source.port);
      // The source ends its side once everything is sent; that FIN ends the stream.
      await data.done(90_000);
      const got = Buffer.concat(data.chunks);
      expect(got.length).to.equal(sent.length);
      // Buffer.equals rather than chai's deep equal: a 32 MiB diff would not help anyone.
      expect(got.equals(sent), 'the bytes differ').to.equal(true);
      client.close();
    } finally {
      await source.close();
    }
  });

  it('holds the pod side back while the client does not read, then delivers everything', async () => {
    const total = 96 * MIB;
    const sent = pattern(total);
    const source = await startSource(sent);
    try {
      const { client, data } = await forward(source.port);
      client.pause();
      // Nothing moves any more: the source waits for a drain that only reading brings.
      const flushed = await settled(() => source.flushed(), 5, 100, 60_000);
      expect(source.blocked(), 'the source is waiting for a drain').to.equal(true);
      const inFlight = flushed - received(data);
      // Kernel socket buffers on two loopback TCP hops and the gRPC socket, plus the
      // kubelet's bounded buffers (a stream's 64 KiB, the TLS socket's mark, the HTTP/2
      // window): far less than was offered.
      expect(inFlight, `${(inFlight / MIB).toFixed(1)} MiB in flight`).to.be.below(48 * MIB);
      expect(flushed).to.be.below(total);
      client.resume();
      await data.done(90_000);
      const got = Buffer.concat(data.chunks);
      expect(got.length).to.equal(total);
      expect(got.equals(sent), 'the bytes differ').to.equal(true);
      client.close();
    } finally {
      await source.close();
    }
  });
});
