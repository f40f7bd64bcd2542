import type * as grpc from '@grpc/grpc-js';
import { UnavailableError, errorMessage } from '../../common/errors.js';
import { fromServiceError } from '../../common/grpc-errors.js';
import type { LogChunk__Output } from '../../generated/vkcmd/runner/v1/LogChunk.js';
import type { LogCall, LogSink } from './runner.js';

/**
 * One unary call with a deadline. Resolves with the answer; rejects with a
 * shared kind (fromServiceError), never with a raw gRPC error. A call that
 * cannot even start (the channel was closed) is UnavailableError.
 */
export function unaryCall<T>(
  invoke: (callback: grpc.requestCallback<T>, deadline: Date) => void,
  deadline: Date,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      invoke((err, value) => {
        if (err) reject(fromServiceError(err));
        else if (value === undefined) reject(fromServiceError(new Error('the runner sent an empty answer')));
        else resolve(value);
      }, deadline);
    } catch (err) {
      reject(new UnavailableError(`runner unavailable: ${errorMessage(err)}`, { cause: err }));
    }
  });
}

/**
 * Feeds a GetLogs stream to a sink, translating its failure once. The sink
 * gets accepted() when the runner's headers arrive, then data, then exactly
 * one of end() or error().
 */
export function pipeLogStream(
  open: () => grpc.ClientReadableStream<LogChunk__Output>,
  sink: LogSink,
): LogCall {
  let call: grpc.ClientReadableStream<LogChunk__Output>;
  try {
    call = open();
  } catch (err) {
    // A closed channel refuses new calls synchronously; report it as the stream's failure.
    const failure = new UnavailableError(`runner unavailable: ${errorMessage(err)}`, { cause: err });
    setImmediate(() => sink.error(failure));
    return { pause: () => undefined, resume: () => undefined, cancel: () => undefined };
  }
  let done = false;
  call.on('metadata', () => sink.accepted());
  call.on('data', (chunk: LogChunk__Output) => sink.data(chunk.data));
  call.on('end', () => {
    if (done) return;
    done = true;
    sink.end();
  });
  call.on('error', (err: grpc.ServiceError) => {
    if (done) return;
    done = true;
    sink.error(fromServiceError(err));
  });
  return {
    pause: () => call.pause(),
    resume: () => call.resume(),
    cancel: () => call.cancel(),
  };
}
