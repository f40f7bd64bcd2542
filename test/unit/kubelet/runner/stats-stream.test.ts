import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { errorKind } from '../../../../src/common/errors.js';
import type { Stats__Output } from '../../../../src/generated/vkcmd/runner/v1/Stats.js';
import {
  STREAM_RETRY_AFTER_MS,
  StatsStream,
  type StatsCall,
  type StatsStreamTimers,
} from '../../../../src/kubelet/runner/stats-stream.js';

function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** A StreamStats call as grpc-js hands it to a client: written request ids are kept. */
class FakeCall extends EventEmitter {
  readonly written: number[] = [];
  cancelled = false;
  write(message: { requestId: number }): boolean {
    this.written.push(message.requestId);
    return true;
  }
  cancel(): void {
    this.cancelled = true;
    this.emit('error', serviceError(grpc.status.CANCELLED, 'Cancelled on client'));
  }
  answer(requestId: number, timestampMs: number): void {
    this.emit('data', { requestId, stats: stats(timestampMs) });
  }
}

function stats(timestampMs: number): Stats__Output {
  return { timestampMs, node: null, pods: [] };
}

/** Timers run by hand: fire() runs every deadline. */
function manualTimers(): StatsStreamTimers & { fire(): void; pending(): number } {
  const timers = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (fn) => {
      timers.set(next, fn);
      return next++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    fire: () => {
      const fns = [...timers.values()];
      timers.clear();
      for (const fn of fns) fn();
    },
    pending: () => timers.size,
  };
}

function subject(unaryAnswers: Array<Stats__Output | Error> = []) {
  const calls: FakeCall[] = [];
  const unaryTimeouts: number[] = [];
  const timers = manualTimers();
  const clock = { nowMs: 1_000_000 };
  const stream = new StatsStream(
    () => {
      const call = new FakeCall();
      calls.push(call);
      return call as unknown as StatsCall;
    },
    (timeoutMs) => {
      unaryTimeouts.push(timeoutMs);
      const next = unaryAnswers.shift() ?? new Error('no unary answer left');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    timers,
    () => clock.nowMs,
  );
  return { stream, calls, unaryTimeouts, timers, clock };
}

describe('StatsStream', () => {
  it('sends each collection on one stream and matches answers by request id, in any order', async () => {
    const { stream, calls, timers } = subject();
    const first = stream.collect(5_000);
    const second = stream.collect(5_000);
    expect(calls).to.have.length(1);
    expect(calls[0]!.written).to.deep.equal([1, 2]);

    calls[0]!.answer(2, 200);
    calls[0]!.answer(1, 100);
    expect((await first).timestampMs).to.equal(100);
    expect((await second).timestampMs).to.equal(200);
    expect(timers.pending()).to.equal(0);

    const third = stream.collect(5_000);
    expect(calls).to.have.length(1);
    calls[0]!.answer(3, 300);
    expect((await third).timestampMs).to.equal(300);
  });

  it('rejects a collection not answered in time as a deadline and drops its late answer', async () => {
    const { stream, calls, timers } = subject();
    const late = stream.collect(2_000);
    timers.fire();
    const err = await late.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(errorKind(err)).to.equal('unavailable');
    expect(((err as Error).cause as grpc.ServiceError).code).to.equal(grpc.status.DEADLINE_EXCEEDED);

    calls[0]!.answer(1, 100);
    const next = stream.collect(2_000);
    calls[0]!.answer(2, 200);
    expect((await next).timestampMs).to.equal(200);
  });

  it('fails every waiting collection with the stream failure kind, then opens a new stream', async () => {
    const { stream, calls } = subject();
    const waiting = [stream.collect(5_000), stream.collect(5_000)];
    calls[0]!.emit('error', serviceError(grpc.status.UNAVAILABLE, 'connection dropped'));
    for (const w of waiting) {
      expect(errorKind(await w.catch((e: unknown) => e))).to.equal('unavailable');
    }

    const again = stream.collect(5_000);
    expect(calls).to.have.length(2);
    expect(calls[1]!.written).to.deep.equal([3]);
    calls[1]!.answer(3, 300);
    expect((await again).timestampMs).to.equal(300);
  });

  it('a stream the runner ends without a status fails what waits on it', async () => {
    const { stream, calls } = subject();
    const waiting = stream.collect(5_000);
    calls[0]!.emit('end');
    expect(errorKind(await waiting.catch((e: unknown) => e))).to.equal('unavailable');
    void stream.collect(5_000);
    expect(calls).to.have.length(2);
  });

  it('asks a runner without StreamStats with GetStats, the waiting collections included, until the stream is due to be tried again', async () => {
    const { stream, calls, unaryTimeouts, clock } = subject([stats(10), stats(20)]);
    const waiting = stream.collect(3_000);
    calls[0]!.emit(
      'error',
      serviceError(grpc.status.UNIMPLEMENTED, 'The server does not implement the method'),
    );
    expect((await waiting).timestampMs).to.equal(10);
    expect(stream.streaming).to.equal(false);

    clock.nowMs += STREAM_RETRY_AFTER_MS - 1;
    expect((await stream.collect(4_000)).timestampMs).to.equal(20);
    expect(calls).to.have.length(1);
    expect(unaryTimeouts).to.deep.equal([3_000, 4_000]);

    // An upgraded runner on the same link: the stream again.
    clock.nowMs += 1;
    const streamed = stream.collect(4_000);
    expect(calls).to.have.length(2);
    calls[1]!.answer(2, 30);
    expect((await streamed).timestampMs).to.equal(30);
    expect(stream.streaming).to.equal(true);
  });

  it('close() cancels the stream and rejects what waits as unavailable', async () => {
    const { stream, calls, timers } = subject();
    const waiting = stream.collect(5_000);
    stream.close();
    expect(calls[0]!.cancelled).to.equal(true);
    expect(errorKind(await waiting.catch((e: unknown) => e))).to.equal('unavailable');
    expect(timers.pending()).to.equal(0);
  });

  it('a channel that refuses to open the call rejects the collection as unavailable', async () => {
    const stream = new StatsStream(
      () => {
        throw new Error('Channel has been shut down');
      },
      () => Promise.reject(new Error('not used')),
    );
    expect(errorKind(await stream.collect(1_000).catch((e: unknown) => e))).to.equal('unavailable');
  });
});
