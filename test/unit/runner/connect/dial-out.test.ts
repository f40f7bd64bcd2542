import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import { expect } from 'chai';
import { pino } from 'pino';
import { DialOut } from '../../../../src/runner/connect/dial-out.js';
import { parseConnectTarget } from '../../../../src/runner/connect/connect-target.js';

/** Enough of a TLS socket for DialOut: it can be closed, and says so. */
class FakeSocket extends EventEmitter {
  alpnProtocol: string | false = false;
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  destroy(): this {
    queueMicrotask(() => this.emit('close'));
    return this;
  }
}

describe('DialOut: the first redial after a lost connection is spread out', () => {
  /** One runner whose dials are recorded; its first connection lasts `livedMs` on its clock, then closes. */
  async function redialDelay(random: number, livedMs: number): Promise<number> {
    let nowMs = 0;
    const dials: number[] = [];
    const sockets: FakeSocket[] = [];
    const dialOut = new DialOut({
      request: {
        target: parseConnectTarget('https://127.0.0.1:1'),
        nodeName: 'vk-1',
        version: 't',
        timeoutMs: 1000,
      },
      credentials: () => ({}),
      sink: { injectConnection: () => undefined },
      logger: pino({ level: 'silent' }),
      initialBackoffMs: 400,
      reconnectSpreadMs: 200,
      random: () => random,
      now: () => nowMs,
      dial: () => {
        dials.push(Date.now());
        const socket = new FakeSocket();
        sockets.push(socket);
        return Promise.resolve({ socket: socket as unknown as TLSSocket, grantedNode: 'vk-1' });
      },
    });
    dialOut.start();
    while (dialOut.state !== 'connected') await new Promise((r) => setTimeout(r, 1));
    nowMs += livedMs;
    const closedAt = Date.now();
    sockets[0]!.destroy();
    while (dials.length < 2) await new Promise((r) => setTimeout(r, 1));
    dialOut.stop();
    return dials[1]! - closedAt;
  }

  it('a connection that had lasted: the redial waits random x spread, from at once up to the spread', async () => {
    expect(await redialDelay(0, 60_000)).to.be.below(150);
    expect(await redialDelay(0.99, 60_000)).to.be.within(180, 600);
  });

  it('a connection that closed at once: the back-off as before (at least half its first step)', async () => {
    expect(await redialDelay(0, 10)).to.be.at.least(190);
  });
});
