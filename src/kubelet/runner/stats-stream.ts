import * as grpc from '@grpc/grpc-js';
import { UnavailableError, errorMessage } from '../../common/errors.js';
import { fromServiceError } from '../../common/grpc-errors.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { StreamStatsRequest } from '../../generated/vkcmd/runner/v1/StreamStatsRequest.js';
import type { StreamStatsResponse__Output } from '../../generated/vkcmd/runner/v1/StreamStatsResponse.js';

export type StatsCall = grpc.ClientDuplexStream<StreamStatsRequest, StreamStatsResponse__Output>;

/** Timers, injected so tests can run the deadlines by hand. */
export interface StatsStreamTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: StatsStreamTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * How long a link asks with GetStats after its runner answered StreamStats
 * with UNIMPLEMENTED: a dial-in node keeps its link while runners come and
 * go, so an upgraded runner gets the stream within this long.
 */
export const STREAM_RETRY_AFTER_MS = 10 * 60_000;

interface Waiting {
  resolve(stats: Stats__Output): void;
  reject(err: Error): void;
  timer: unknown;
  timeoutMs: number;
}

/**
 * GetStats on the runner's StreamStats: one long-lived stream per link, a
 * request message per collection. grpc-js spends 0.3-0.5 ms of the
 * kubelet's CPU to start each unary call (a new HTTP/2 stream, its call
 * stack and deadline timer) against 0.08-0.15 ms for a message on an open
 * stream; a fleet kubelet collects from every node every scrape interval
 * (bench/README.md, "Stats on one stream").
 *
 * Contract of collect(): resolves with one collection or rejects with a
 * shared error kind, never a raw gRPC error. No answer within `timeoutMs`
 * rejects as a unary call's deadline does (unavailable, DEADLINE_EXCEEDED
 * underneath), and a late answer is dropped. A stream that fails rejects
 * every collection waiting on it with its kind; the next collect opens a new
 * stream. A runner without StreamStats (UNIMPLEMENTED, an older version) is
 * asked with `unary`, the waiting collections included, for
 * STREAM_RETRY_AFTER_MS; then the stream is tried again. Never throws.
 */
export class StatsStream {
  private call: StatsCall | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextRequestId = 1;
  /** When the runner answered UNIMPLEMENTED; undefined while the stream is used. */
  private unsupportedAtMs: number | undefined;

  constructor(
    /** Opens the call (the client's streamStats); may throw when the channel is closed. */
    private readonly open: () => StatsCall,
    /** One GetStats call with this deadline, for runners without the stream. */
    private readonly unary: (timeoutMs: number) => Promise<Stats__Output>,
    private readonly timers: StatsStreamTimers = REAL_TIMERS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the next collection goes through the stream (false for a while after UNIMPLEMENTED). */
  get streaming(): boolean {
    return this.unsupportedAtMs === undefined || this.now() - this.unsupportedAtMs >= STREAM_RETRY_AFTER_MS;
  }

  collect(timeoutMs: number): Promise<Stats__Output> {
    if (!this.streaming) return this.unary(timeoutMs);
    return new Promise<Stats__Output>((resolve, reject) => {
      let call: StatsCall;
      try {
        call = this.call ?? this.openCall();
      } catch (err) {
        reject(new UnavailableError(`runner unavailable: ${errorMessage(err)}`, { cause: err }));
        return;
      }
      const requestId = this.nextRequestId++;
      const timer = this.timers.setTimeout(() => {
        if (!this.waiting.delete(requestId)) return;
        reject(fromServiceError(deadlineExceeded(timeoutMs)));
      }, timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer, timeoutMs });
      call.write({ requestId });
    });
  }

  /** Ends the stream; collections still waiting reject as unavailable. */
  close(): void {
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.failWaiting(new UnavailableError('runner link closed'));
  }

  private openCall(): StatsCall {
    const call = this.open();
    this.call = call;
    call.on('data', (answer: StreamStatsResponse__Output) => {
      const w = this.waiting.get(answer.requestId);
      if (!w) return;
      this.waiting.delete(answer.requestId);
      this.timers.clearTimeout(w.timer);
      if (answer.stats) w.resolve(answer.stats);
      else w.reject(fromServiceError(new Error('the runner sent an empty answer')));
    });
    call.on('error', (err: grpc.ServiceError) => this.ended(call, err));
    // A stream the runner ends without a status (it shut down cleanly) fails what waits on it.
    call.on('end', () => this.ended(call, undefined));
    return call;
  }

  private ended(call: StatsCall, err: grpc.ServiceError | undefined): void {
    if (this.call !== call) return;
    this.call = undefined;
    if (err?.code === grpc.status.UNIMPLEMENTED) {
      this.unsupportedAtMs = this.now();
      for (const w of this.takeWaiting()) this.unary(w.timeoutMs).then(w.resolve, w.reject);
      return;
    }
    this.failWaiting(err ? fromServiceError(err) : new UnavailableError('the runner ended the stats stream'));
  }

  private failWaiting(reason: Error): void {
    for (const w of this.takeWaiting()) w.reject(reason);
  }

  /** Every waiting collection, its deadline cancelled; none waits after this. */
  private takeWaiting(): Waiting[] {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) this.timers.clearTimeout(w.timer);
    return waiting;
  }
}

/** What a unary call's missed deadline reports, so both paths read the same. */
function deadlineExceeded(timeoutMs: number): grpc.ServiceError {
  return Object.assign(new Error(`no stats from the runner within ${timeoutMs} ms`), {
    code: grpc.status.DEADLINE_EXCEEDED,
    details: `no stats from the runner within ${timeoutMs} ms`,
    metadata: new grpc.Metadata(),
  });
}
