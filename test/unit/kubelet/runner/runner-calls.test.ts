import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { KindError } from '../../../../src/common/errors.js';
import type { LogChunk__Output } from '../../../../src/generated/vkcmd/runner/v1/LogChunk.js';
import { pipeLogStream, unaryCall } from '../../../../src/kubelet/runner/runner-calls.js';

function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

class FakeStream extends EventEmitter {
  cancelled = false;
  paused = false;
  cancel(): void {
    this.cancelled = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

function recorder() {
  const seen: string[] = [];
  let failure: KindError | undefined;
  return {
    seen,
    failure: () => failure,
    sink: {
      accepted: () => seen.push('accepted'),
      data: (chunk: Buffer) => seen.push(`data:${chunk.toString()}`),
      end: () => seen.push('end'),
      error: (err: KindError) => {
        failure = err;
        seen.push(`error:${err.kind}`);
      },
    },
  };
}

describe('runner calls: gRPC answers become shared kinds', () => {
  it('unaryCall resolves with the answer and passes the deadline', async () => {
    const deadline = new Date(Date.now() + 1000);
    let seenDeadline: Date | undefined;
    const value = await unaryCall<{ ok: boolean }>((cb, d) => {
      seenDeadline = d;
      cb(null, { ok: true });
    }, deadline);
    expect(value).to.deep.equal({ ok: true });
    expect(seenDeadline).to.equal(deadline);
  });

  const failures: Array<[string, (cb: grpc.requestCallback<unknown>) => void, string, RegExp]> = [
    [
      'a gRPC status',
      (cb) => cb(serviceError(grpc.status.FAILED_PRECONDITION, 'deleted'), undefined),
      'precondition',
      /^deleted$/,
    ],
    [
      'no answer in time',
      (cb) => cb(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), undefined),
      'unavailable',
      /runner unavailable/,
    ],
    [
      'a closed channel (thrown at once)',
      () => {
        throw new Error('Channel has been shut down');
      },
      'unavailable',
      /runner unavailable: Channel has been shut down/,
    ],
    ['an empty answer', (cb) => cb(null, undefined), 'internal', /empty answer/],
  ];
  for (const [title, invoke, kind, message] of failures) {
    it(`unaryCall rejects with ${kind} for ${title}`, async () => {
      const err = await unaryCall(invoke, new Date()).then(
        () => undefined,
        (e: KindError) => e,
      );
      expect(err?.kind).to.equal(kind);
      expect(err?.message).to.match(message);
    });
  }

  it('pipeLogStream: accepted, data in order, then end; nothing after the end', () => {
    const stream = new FakeStream();
    const r = recorder();
    const call = pipeLogStream(
      () => stream as unknown as grpc.ClientReadableStream<LogChunk__Output>,
      r.sink,
    );
    stream.emit('metadata', new grpc.Metadata());
    stream.emit('data', { data: Buffer.from('a') });
    call.pause();
    expect(stream.paused).to.equal(true);
    call.resume();
    stream.emit('data', { data: Buffer.from('b') });
    stream.emit('end');
    stream.emit('error', serviceError(grpc.status.CANCELLED, 'late'));
    expect(r.seen).to.deep.equal(['accepted', 'data:a', 'data:b', 'end']);
    call.cancel();
    expect(stream.cancelled).to.equal(true);
  });

  it('pipeLogStream: a failure is translated once', () => {
    const stream = new FakeStream();
    const r = recorder();
    pipeLogStream(() => stream as unknown as grpc.ClientReadableStream<LogChunk__Output>, r.sink);
    stream.emit('error', serviceError(grpc.status.NOT_FOUND, 'no such container'));
    stream.emit('end');
    expect(r.seen).to.deep.equal(['error:notFound']);
    expect(r.failure()?.message).to.equal('no such container');
  });

  it('pipeLogStream: a stream that cannot open fails later, as unavailable', async () => {
    const r = recorder();
    pipeLogStream(() => {
      throw new Error('closed');
    }, r.sink);
    expect(r.seen, 'never before getLogs returns').to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.seen).to.deep.equal(['error:unavailable']);
  });
});
