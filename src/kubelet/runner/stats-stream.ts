import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { StreamStatsRequest } from '../../generated/vkcmd/runner/v1/StreamStatsRequest.js';
import type { StreamStatsResponse__Output } from '../../generated/vkcmd/runner/v1/StreamStatsResponse.js';
import { fromServiceError } from '../../common/grpc-errors.js';
import {
  REAL_TIMERS,
  RequestStream,
  type RequestStreamCall,
  type RequestStreamTimers,
} from './request-stream.js';

export { STREAM_RETRY_AFTER_MS } from './request-stream.js';
export type StatsStreamTimers = RequestStreamTimers;
export type StatsCall = RequestStreamCall<StreamStatsRequest, StreamStatsResponse__Output>;

/**
 * GetStats on the runner's StreamStats: one long-lived stream per link, a
 * request message per collection (RequestStream's contract). A fleet kubelet
 * collects from every node every scrape interval.
 *
 * Contract of collect(): resolves with one collection or rejects with a
 * shared error kind, never a raw gRPC error; a runner without StreamStats is
 * asked with `unary`. Never throws.
 */
export class StatsStream {
  private readonly stream: RequestStream<
    void,
    StreamStatsRequest,
    StreamStatsResponse__Output,
    Stats__Output
  >;

  constructor(
    /** Opens the call (the client's streamStats); may throw when the channel is closed. */
    open: () => StatsCall,
    /** One GetStats call with this deadline, for runners without the stream. */
    unary: (timeoutMs: number) => Promise<Stats__Output>,
    timers: StatsStreamTimers = REAL_TIMERS,
    now: () => number = Date.now,
  ) {
    this.stream = new RequestStream(
      open,
      (_request, timeoutMs) => unary(timeoutMs),
      {
        what: 'stats',
        message: (requestId) => ({ requestId }),
        requestId: (answer) => answer.requestId,
        result: (answer) => answer.stats ?? fromServiceError(new Error('the runner sent an empty answer')),
      },
      timers,
      now,
    );
  }

  /** Whether the next collection goes through the stream (false for a while after UNIMPLEMENTED). */
  get streaming(): boolean {
    return this.stream.streaming;
  }

  collect(timeoutMs: number): Promise<Stats__Output> {
    return this.stream.send(undefined, timeoutMs);
  }

  /** Ends the stream; collections still waiting reject as unavailable. */
  close(): void {
    this.stream.close();
  }
}
