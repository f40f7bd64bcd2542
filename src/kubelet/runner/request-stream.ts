import * as grpc from '@grpc/grpc-js';
import { UnavailableError, errorMessage } from '../../common/errors.js';
import { fromServiceError, serviceErrorOf } from '../../common/grpc-errors.js';

/** A client's end of a request stream (StreamStats, PodCommands), as grpc-js hands it out. */
export type RequestStreamCall<Msg, Ans> = grpc.ClientDuplexStream<Msg, Ans>;

/** Timers, injected so tests can run the deadlines by hand. */
export interface RequestStreamTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const REAL_TIMERS: RequestStreamTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * How long a link uses the unary calls after its runner answered a request
 * stream with UNIMPLEMENTED: a dial-in node keeps its link while runners come
 * and go, so an upgraded runner gets the stream within this long.
 */
export const STREAM_RETRY_AFTER_MS = 10 * 60_000;

/** How a request stream's messages carry requests and answers. */
export interface RequestStreamCodec<Req, Msg, Ans, Res> {
  /** The stream's method, for messages: "stats", "pod command". */
  what: string;
  /** The message that carries `request` under `requestId`. */
  message(requestId: number, request: Req): Msg;
  /** The request id an answer carries. */
  requestId(answer: Ans): number;
  /** The answer's result, or the error (a shared kind) it carries. */
  result(answer: Ans): Res | Error;
}

interface Waiting<Res> {
  resolve(result: Res): void;
  reject(err: Error): void;
  timer: unknown;
  /** The request, kept so that a runner without the stream can be asked with the unary call. */
  retry(): Promise<Res>;
}

/**
 * Unary calls on one long-lived stream: a request message per call, answers
 * matched by request id. Each unary call is a new HTTP/2 stream with grpc-js'
 * call stack, a deadline timer, and headers and trailers both ways: a
 * DeletePod spaced as a 20 pods/s lifecycle spaces them cost the kubelet
 * 1.1-1.4 ms of CPU and the runner 1.0 ms, against 0.33-0.42 ms and
 * 0.45-0.56 ms as a message on an open stream (three alternated rounds, load
 * 0.2-1.1; bench/README.md, "Pod commands
 * on one stream"; "Stats on one stream" for the collections).
 *
 * Contract of send(): resolves with one answer or rejects with a shared
 * error kind, never a raw gRPC error. No answer within `timeoutMs` rejects as
 * a unary call's deadline does (unavailable, DEADLINE_EXCEEDED underneath),
 * and a late answer is dropped. A stream that fails rejects every request
 * waiting on it with its kind (the requests are idempotent: the caller may
 * send them again); the next send opens a new stream. A runner without the
 * stream (UNIMPLEMENTED, an older version) is asked with `unary`, the
 * waiting requests included, for STREAM_RETRY_AFTER_MS; then the stream is
 * tried again. Never throws.
 */
export class RequestStream<Req, Msg, Ans, Res> {
  private call: RequestStreamCall<Msg, Ans> | undefined;
  private readonly waiting = new Map<number, Waiting<Res>>();
  private nextRequestId = 1;
  /** When the runner answered UNIMPLEMENTED; undefined while the stream is used. */
  private unsupportedAtMs: number | undefined;

  constructor(
    /** Opens the call; may throw when the channel is closed. */
    private readonly open: () => RequestStreamCall<Msg, Ans>,
    /** The same request as a unary call with this deadline, for runners without the stream. */
    private readonly unary: (request: Req, timeoutMs: number) => Promise<Res>,
    private readonly codec: RequestStreamCodec<Req, Msg, Ans, Res>,
    private readonly timers: RequestStreamTimers = REAL_TIMERS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the next request goes through the stream (false for a while after UNIMPLEMENTED). */
  get streaming(): boolean {
    return this.unsupportedAtMs === undefined || this.now() - this.unsupportedAtMs >= STREAM_RETRY_AFTER_MS;
  }

  send(request: Req, timeoutMs: number): Promise<Res> {
    if (!this.streaming) return this.unary(request, timeoutMs);
    return new Promise<Res>((resolve, reject) => {
      let call: RequestStreamCall<Msg, Ans>;
      try {
        call = this.call ?? this.openCall();
      } catch (err) {
        reject(new UnavailableError(`runner unavailable: ${errorMessage(err)}`, { cause: err }));
        return;
      }
      const requestId = this.nextRequestId++;
      const timer = this.timers.setTimeout(() => {
        if (!this.waiting.delete(requestId)) return;
        const details = `no ${this.codec.what} answer from the runner within ${timeoutMs} ms`;
        reject(fromServiceError(serviceErrorOf(grpc.status.DEADLINE_EXCEEDED, details)));
      }, timeoutMs);
      const retry = (): Promise<Res> => this.unary(request, timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer, retry });
      call.write(this.codec.message(requestId, request));
    });
  }

  /** Ends the stream; requests still waiting reject as unavailable. */
  close(): void {
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.failWaiting(new UnavailableError('runner link closed'));
  }

  private openCall(): RequestStreamCall<Msg, Ans> {
    const call = this.open();
    this.call = call;
    call.on('data', (answer: Ans) => {
      const requestId = this.codec.requestId(answer);
      const w = this.waiting.get(requestId);
      if (!w) return;
      this.waiting.delete(requestId);
      this.timers.clearTimeout(w.timer);
      const result = this.codec.result(answer);
      if (result instanceof Error) w.reject(result);
      else w.resolve(result);
    });
    call.on('error', (err: grpc.ServiceError) => this.ended(call, err));
    // A stream the runner ends without a status (it shut down cleanly) fails what waits on it.
    call.on('end', () => this.ended(call, undefined));
    return call;
  }

  private ended(call: RequestStreamCall<Msg, Ans>, err: grpc.ServiceError | undefined): void {
    if (this.call !== call) return;
    this.call = undefined;
    if (err?.code === grpc.status.UNIMPLEMENTED) {
      this.unsupportedAtMs = this.now();
      for (const w of this.takeWaiting()) w.retry().then(w.resolve, w.reject);
      return;
    }
    this.failWaiting(
      err ? fromServiceError(err) : new UnavailableError(`the runner ended the ${this.codec.what} stream`),
    );
  }

  private failWaiting(reason: Error): void {
    for (const w of this.takeWaiting()) w.reject(reason);
  }

  /** Every waiting request, its deadline cancelled; none waits after this. */
  private takeWaiting(): Array<Waiting<Res>> {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) this.timers.clearTimeout(w.timer);
    return waiting;
  }
}
