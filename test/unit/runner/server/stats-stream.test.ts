import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { InternalError, UnavailableError } from '../../../../src/common/errors.js';
import { toServiceError } from '../../../../src/common/grpc-errors.js';
import type { Stats } from '../../../../src/generated/vkcmd/runner/v1/Stats.js';
import { serveStatsStream } from '../../../../src/runner/server/stats-stream.js';

/** The server side of a StreamStats call: what the handler writes, ends and fails with. */
class FakeServerCall extends EventEmitter {
  readonly written: Array<{ requestId: number; timestampMs: number }> = [];
  ended = false;
  status: Partial<grpc.StatusObject> | undefined;
  constructor() {
    super();
    this.on('error', (status: Partial<grpc.StatusObject>) => (this.status = status));
  }
  write(message: { requestId: number; stats: Stats }): boolean {
    this.written.push({ requestId: message.requestId, timestampMs: Number(message.stats.timestampMs) });
    return true;
  }
  end(): void {
    this.ended = true;
  }
  request(requestId: number): void {
    this.emit('data', { requestId });
  }
}

/** Collections that finish when the test resolves them, in the order it chooses. */
function heldCollections() {
  const held: Array<{ resolve: (s: Stats) => void; reject: (e: Error) => void }> = [];
  return {
    collect: () => new Promise<Stats>((resolve, reject) => held.push({ resolve, reject })),
    finish: (index: number, timestampMs: number) => held[index]!.resolve({ timestampMs, pods: [] }),
    fail: (index: number, err: Error) => held[index]!.reject(err),
  };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function serve(collect: () => Promise<Stats>) {
  const call = new FakeServerCall();
  const tracked = new Set<(reason: Error) => void>();
  const failed: string[] = [];
  serveStatsStream(call as never, {
    collect,
    track: (close) => {
      tracked.add(close);
      return () => tracked.delete(close);
    },
    fail: (method, err) => {
      failed.push(method);
      return toServiceError(err);
    },
  });
  return { call, tracked, failed };
}

/** A stream with one request whose collection waits for the test. */
async function oneRequestWaiting() {
  const c = heldCollections();
  const served = serve(c.collect);
  served.call.request(1);
  await settle();
  return { ...served, c };
}

describe('serveStatsStream', () => {
  it('answers every request with its own id as each collection finishes', async () => {
    const c = heldCollections();
    const { call } = serve(c.collect);
    call.request(7);
    call.request(8);
    await settle();
    c.finish(1, 200);
    c.finish(0, 100);
    await settle();
    expect(call.written).to.deep.equal([
      { requestId: 8, timestampMs: 200 },
      { requestId: 7, timestampMs: 100 },
    ]);
    expect(call.ended).to.equal(false);
  });

  it('ends the stream with the status of a failed collection and writes nothing after it', async () => {
    const c = heldCollections();
    const { call, tracked, failed } = serve(c.collect);
    call.request(1);
    call.request(2);
    await settle();
    c.fail(0, new InternalError('cannot read /proc/stat'));
    c.finish(1, 100);
    await settle();
    expect(call.status?.code).to.equal(toServiceError(new InternalError('x')).code);
    expect(call.written).to.deep.equal([]);
    expect(failed).to.deep.equal(['StreamStats']);
    expect(tracked.size).to.equal(0);
  });

  it("ends the stream on the client's half-close once the answers in flight are written", async () => {
    const { call, tracked, c } = await oneRequestWaiting();
    call.emit('end');
    expect(call.ended).to.equal(false);
    c.finish(0, 100);
    await settle();
    expect(call.written).to.deep.equal([{ requestId: 1, timestampMs: 100 }]);
    expect(call.ended).to.equal(true);
    expect(tracked.size).to.equal(0);
  });

  it('writes nothing more once the client cancels', async () => {
    const { call, tracked, c } = await oneRequestWaiting();
    call.emit('cancelled');
    c.finish(0, 100);
    call.request(2);
    await settle();
    expect(call.written).to.deep.equal([]);
    expect(tracked.size).to.equal(0);
  });

  it('shutdown ends an open stream as unavailable', () => {
    const { call, tracked } = serve(heldCollections().collect);
    for (const close of tracked) close(new UnavailableError('the runner is shutting down'));
    expect(call.status?.code).to.equal(toServiceError(new UnavailableError('x')).code);
  });
});
