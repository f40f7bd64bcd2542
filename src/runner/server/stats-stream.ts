import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { Stats } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { StreamStatsRequest__Output } from '../../generated/vkcmd/runner/v1/StreamStatsRequest.js';
import { serveRequestStream, type RequestStreamHooks } from './request-stream.js';

type StatsStreamCall = Parameters<RunnerHandlers['StreamStats']>[0];

/** What serveStatsStream needs from the service around it. */
export interface StatsStreamHooks extends RequestStreamHooks {
  /** One collection, as GetStats answers it; may reject with a shared error kind. */
  collect(): Stats | Promise<Stats>;
}

/**
 * Serves one StreamStats call: every request message is answered by one
 * collection carrying its request_id (serveRequestStream). A failed
 * collection ends the stream with its status; the client opens a new one.
 */
export function serveStatsStream(call: StatsStreamCall, hooks: StatsStreamHooks): void {
  serveRequestStream(call, 'StreamStats', hooks, async (request: StreamStatsRequest__Output) => ({
    requestId: request.requestId,
    stats: await hooks.collect(),
  }));
}
