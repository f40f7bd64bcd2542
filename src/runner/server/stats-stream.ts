import type * as grpc from '@grpc/grpc-js';
import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { Stats } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { StreamStatsRequest__Output } from '../../generated/vkcmd/runner/v1/StreamStatsRequest.js';

type StatsStreamCall = Parameters<RunnerHandlers['StreamStats']>[0];

/** What serveStatsStream needs from the service around it. */
export interface StatsStreamHooks {
  /** One collection, as GetStats answers it; may reject with a shared error kind. */
  collect(): Stats | Promise<Stats>;
  /** Registers the stream so shutdown can end it; returns what unregisters it. */
  track(close: (reason: Error) => void): () => void;
  /** The status a failure ends the stream with (logged there, once). */
  fail(method: string, err: unknown): Partial<grpc.StatusObject>;
}

/**
 * Serves one StreamStats call: every request message is answered by one
 * collection carrying its request_id, written as soon as it is ready (so
 * answers may pass each other). A failed collection ends the stream with
 * its status; the client opens a new one. The client's half-close ends the
 * stream once the answers in flight are written; a cancelled call writes
 * nothing more.
 */
export function serveStatsStream(call: StatsStreamCall, hooks: StatsStreamHooks): void {
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
    if (finish()) call.emit('error', hooks.fail('StreamStats', err));
  };
  const endIfDone = (): void => {
    if (clientDone && inFlight === 0 && finish()) call.end();
  };
  const untrack = hooks.track(failWith);
  call.on('data', (request: StreamStatsRequest__Output) => {
    if (ended) return;
    inFlight += 1;
    Promise.resolve()
      .then(() => hooks.collect())
      .then(
        (stats) => {
          inFlight -= 1;
          if (ended) return;
          call.write({ requestId: request.requestId, stats });
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
