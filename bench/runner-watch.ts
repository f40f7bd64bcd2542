import * as grpc from '@grpc/grpc-js';
import { loadRunnerProto } from '../src/common/proto.js';
import type { RunnerClient } from '../src/generated/vkcmd/runner/v1/Runner.js';
import type { RunnerHealth__Output } from '../src/generated/vkcmd/runner/v1/RunnerHealth.js';
import type { WatchPodsEvent__Output } from '../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { applyRunnerEvent, type RunnerPodTimes } from './runner-pod-times.js';

/**
 * A WatchPods stream on a runner's unix socket that timestamps, on arrival,
 * the first running and terminated event of every pod and its DELETED event.
 * It does not reconnect: if the stream breaks, `streamError` says so and later
 * samples are missing rather than wrong. `start()` resolves once SYNCED.
 */
export class RunnerWatch {
  readonly client: RunnerClient;
  readonly times = new Map<string, RunnerPodTimes>();
  streamError: string | undefined;
  private call: grpc.ClientReadableStream<WatchPodsEvent__Output> | undefined;
  private readonly listeners = new Set<() => void>();
  private stopped = false;

  /**
   * `onEvent` sees every pod event (not SYNCED or heartbeats) as it arrives,
   * before the listeners are told.
   */
  constructor(
    socketPath: string,
    private readonly now: () => number = Date.now,
    private readonly onEvent?: (event: WatchPodsEvent__Output, nowMs: number) => void,
  ) {
    const { grpcType } = loadRunnerProto();
    this.client = new grpcType.vkcmd.runner.v1.Runner(
      `unix://${socketPath}`,
      grpc.credentials.createInsecure(),
    ) as unknown as RunnerClient;
  }

  start(timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('runner watch: no SYNCED event')), timeoutMs);
      const call = this.client.WatchPods({});
      this.call = call;
      call.on('data', (event: WatchPodsEvent__Output) => {
        const nowMs = this.now();
        if (event.type === 'WATCH_EVENT_TYPE_SYNCED') {
          clearTimeout(timer);
          resolve();
          return;
        }
        if (event.pod) this.onEvent?.(event, nowMs);
        if (applyRunnerEvent(this.times, event, nowMs) !== undefined) {
          for (const l of [...this.listeners]) l();
        }
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (this.stopped && err.code === grpc.status.CANCELLED) return;
        this.streamError = err.message;
        clearTimeout(timer);
        reject(err);
      });
      call.on('end', () => {
        if (!this.stopped) this.streamError ??= 'stream ended';
      });
    });
  }

  /** The runner's own health (event-loop delay, RSS, pods) over the same connection. */
  health(): Promise<RunnerHealth__Output> {
    return new Promise((resolve, reject) =>
      this.client.GetRunnerHealth({}, (err, value) => (err || !value ? reject(err) : resolve(value))),
    );
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.call?.cancel();
    this.client.close();
  }
}
