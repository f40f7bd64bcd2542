import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { LinkState } from './runner.js';
import { RunnerHeartbeat } from './runner-heartbeat.js';
import { RunnerLiveness, healthCheckDue, type HeartbeatOutcome } from './runner-liveness.js';

/** What the silence watch reads of, and tells, the link it watches. */
export interface SilenceWatchHooks {
  isSynced(): boolean;
  state(): LinkState;
  /** A health check was answered: the runner is there (a link waiting out its back-off reconnects). */
  answered(): void;
  /** silentSinceMs() changed (logged here already). */
  changed(): void;
}

export interface SilenceWatchOptions {
  /** Period and deadline of the health checks. */
  heartbeatIntervalMs: number;
  /** Whether a runner is there to answer; absent is unreachable, never silent. */
  runnerPresent: (() => boolean) | undefined;
  now: () => number;
}

/**
 * Tells a runner that answers nothing (stopped, wedged) from one that is
 * gone: every answer the link notes (watch events, the runner's watch
 * heartbeats) and, in a period without one, a health check
 * (RunnerHeartbeat) feed RunnerLiveness; each change of silentSinceMs() is logged,
 * counted and reported through `hooks.changed`. Silence never drops the link.
 */
export class RunnerSilenceWatch {
  private readonly liveness: RunnerLiveness;
  private readonly heartbeat: RunnerHeartbeat;
  /** When the runner last sent something on its own (not a health check's answer). */
  private lastNotedAnswerMs: number | undefined;

  constructor(
    client: grpc.Client,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: SilenceWatchOptions,
    private readonly hooks: SilenceWatchHooks,
  ) {
    this.liveness = new RunnerLiveness(options.now());
    this.heartbeat = new RunnerHeartbeat(
      client,
      options.heartbeatIntervalMs,
      (outcome, asked) => this.onHeartbeat(outcome, asked),
      options.runnerPresent,
      () => healthCheckDue(this.lastNotedAnswerMs, options.now(), options.heartbeatIntervalMs),
    );
  }

  /** Since when the runner has answered nothing; undefined while it answers. */
  silentSinceMs(): number | undefined {
    return this.liveness.silentSinceMs();
  }

  start(): void {
    this.heartbeat.start();
  }

  stop(): void {
    this.heartbeat.stop();
  }

  /** The runner answered something (a watch event, a call's answer) at `nowMs`. */
  answered(nowMs: number): void {
    this.lastNotedAnswerMs = Math.max(this.lastNotedAnswerMs ?? nowMs, nowMs);
    const silentBefore = this.liveness.silentSinceMs();
    if (this.liveness.answered(nowMs, this.hooks.isSynced())) this.changed(silentBefore, nowMs);
  }

  /** The link became Synced: silence ends. */
  synced(): void {
    const silentBefore = this.liveness.silentSinceMs();
    if (this.liveness.synced(this.options.now())) this.changed(silentBefore, this.options.now());
  }

  private onHeartbeat(outcome: HeartbeatOutcome, asked: boolean): void {
    this.metrics.runnerHeartbeatsTotal.inc({ outcome });
    // Not asked: the runner's own messages already went through answered().
    if (outcome === 'answered' && !asked) return;
    if (outcome === 'answered') this.hooks.answered();
    const silentBefore = this.liveness.silentSinceMs();
    const nowMs = this.options.now();
    if (this.liveness.heartbeat(outcome, nowMs, this.hooks.isSynced())) this.changed(silentBefore, nowMs);
  }

  private changed(silentBefore: number | undefined, nowMs: number): void {
    const silentSinceMs = this.liveness.silentSinceMs();
    if (silentSinceMs !== undefined) {
      this.logger.warn(
        { silentForMs: nowMs - silentSinceMs, state: this.hooks.state() },
        'Runner does not answer',
      );
    } else {
      this.logger.info({ silentForMs: nowMs - (silentBefore ?? nowMs) }, 'Runner answers again');
    }
    this.hooks.changed();
  }
}
