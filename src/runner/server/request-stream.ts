import type * as grpc from '@grpc/grpc-js';

/** What serveRequestStream needs from the service around it. */
export interface RequestStreamHooks {
  /** Registers the stream so shutdown can end it; returns what unregisters it. */
  track(close: (reason: Error) => void): () => void;
  /** The status a failure ends the stream with (logged there, once). */
  fail(method: string, err: unknown): Partial<grpc.StatusObject>;
}

/** The server side of a bidirectional call whose every request message gets one answer. */
export interface RequestStreamCall<Req, Res> {
  on(event: 'data', listener: (request: Req) => void): unknown;
  on(event: 'end' | 'cancelled', listener: () => void): unknown;
  write(answer: Res): unknown;
  end(): void;
  emit(event: 'error', status: Partial<grpc.StatusObject>): unknown;
}

/**
 * Serves one request stream (StreamStats, PodCommands): every request
 * message is answered by `answer`'s result, written as soon as it is ready
 * (so answers may pass each other). An answer that rejects ends the stream
 * with its status; the client opens a new one. The client's half-close ends
 * the stream once the answers in flight are written; a cancelled call, or
 * one that shutdown closed, writes nothing more.
 */
export function serveRequestStream<Req, Res>(
  call: RequestStreamCall<Req, Res>,
  method: string,
  hooks: RequestStreamHooks,
  answer: (request: Req) => Res | Promise<Res>,
): void {
  let ended = false;
  let inFlight = 0;
  let clientDone = false;
  /** Marks the stream over (once) and unregisters it; false when it was over already. */
  const finish = (): boolean => {
    if (ended) return false;
    ended = true;
    untrack();
    return true;
  };
  const failWith = (err: unknown): void => {
    if (finish()) call.emit('error', hooks.fail(method, err));
  };
  const endIfDone = (): void => {
    if (clientDone && inFlight === 0 && finish()) call.end();
  };
  const untrack = hooks.track(failWith);
  call.on('data', (request: Req) => {
    if (ended) return;
    inFlight += 1;
    Promise.resolve()
      .then(() => answer(request))
      .then(
        (result) => {
          inFlight -= 1;
          if (ended) return;
          call.write(result);
          endIfDone();
        },
        (err: unknown) => {
          inFlight -= 1;
          failWith(err);
        },
      );
  });
  call.on('end', () => {
    clientDone = true;
    endIfDone();
  });
  call.on('cancelled', () => void finish());
}
