import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { WatchPodsEvent__Output } from '../../generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { Backoff } from '../../common/backoff.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { LinkState, RunnerLinkHandlers } from './runner.js';
import { RunnerPodMap } from './runner-pod-map.js';

export interface RunnerWatchOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long the channel may take to become ready before a reconnect is scheduled. */
  callTimeoutMs: number;
  /** Asked of the runner: a heartbeat event whenever the watch has been quiet this long (0: none). */
  watchHeartbeatMs: number;
  now: () => number;
}

/** What the watch asks of, and tells, the link around it. */
export interface RunnerWatchHooks {
  /** GetNodeInfo, done before each WatchPods; its rejection schedules a reconnect. */
  refreshNodeInfo(): Promise<unknown>;
  /** The link became Synced (before the handlers hear of it). */
  synced(): void;
  /** The runner sent a watch event (a heartbeat too) at `nowMs`. */
  answered(nowMs: number): void;
}

/**
 * The WatchPods session and the link state it drives: connects with capped
 * exponential back-off and jitter, opens WatchPods from the pod map's last
 * (epoch, revision), applies its events to the map and reports them to the
 * handlers, reconnecting after a drop. A change reaches `podChanged` only
 * while Synced; the handlers hear each state change once, and nothing after
 * Stopped. Owns neither the client nor the calls (`RunnerLink` does).
 */
export class RunnerWatch {
  private currentState: LinkState = 'Idle';
  private readonly map = new RunnerPodMap();
  private stream: grpc.ClientReadableStream<WatchPodsEvent__Output> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private downSinceMs: number;
  private syncedOnce = false;
  private readonly backoff: Backoff;
  private handlers: RunnerLinkHandlers | undefined;

  constructor(
    private readonly client: RunnerClient,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: RunnerWatchOptions,
    private readonly hooks: RunnerWatchHooks,
  ) {
    this.backoff = new Backoff(options.initialBackoffMs, options.maxBackoffMs);
    this.downSinceMs = options.now();
  }

  get state(): LinkState {
    return this.currentState;
  }

  isSynced(): boolean {
    return this.currentState === 'Synced';
  }

  /** Since when the link has not been Synced; undefined while Synced. */
  unsyncedSinceMs(): number | undefined {
    return this.isSynced() ? undefined : this.downSinceMs;
  }

  hasSyncedOnce(): boolean {
    return this.syncedOnce;
  }

  pods(): ReadonlyMap<string, Pod__Output> {
    return this.map.pods();
  }

  getPod(uid: string): Pod__Output | undefined {
    return this.map.get(uid);
  }

  start(handlers: RunnerLinkHandlers): void {
    this.handlers = handlers;
    this.connect();
  }

  /** The runner answers while the link waits out its back-off: reconnect now, it is there. No-op unless Disconnected. */
  resumeNow(): void {
    if (this.currentState !== 'Disconnected') return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  stop(): void {
    this.setState('Stopped');
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  /** Applies a pod returned by a call if it is newer than what the watch delivered. */
  applyPod(pod: Pod__Output, receivedAtMs: number): void {
    if (this.map.applyAnswer(pod) && this.isSynced()) this.handlers?.podChanged(pod, receivedAtMs);
  }

  /** Tells the handlers the runner's node info changed. */
  nodeInfoChanged(info: NodeInfo__Output): void {
    this.handlers?.nodeInfo(info);
  }

  /** Tells the handlers the runner's silence changed. */
  livenessChanged(): void {
    this.handlers?.livenessChanged();
  }

  private setState(next: LinkState): void {
    const previous = this.currentState;
    if (previous === next || previous === 'Stopped') return;
    this.currentState = next;
    if (next === 'Synced') {
      this.hooks.synced();
      this.metrics.runnerLinkUp.set(1);
    } else {
      this.metrics.runnerLinkUp.set(0);
      if (previous === 'Synced') this.downSinceMs = this.options.now();
    }
    this.logger.info({ from: previous, to: next, ...this.map.position() }, 'Runner link state changed');
    this.handlers?.stateChanged(next, previous);
  }

  private scheduleReconnect(reason: string, err?: unknown): void {
    if (this.currentState === 'Stopped') return;
    this.stream = undefined;
    this.map.watchEnded();
    this.setState('Disconnected');
    const delayMs = this.backoff.next();
    this.logger.debug({ err, delayMs, reason }, 'Runner unreachable; retrying');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  private connect(): void {
    if (this.currentState === 'Stopped') return;
    this.setState('Connecting');
    this.client.waitForReady(new Date(this.options.now() + this.options.callTimeoutMs), (err) => {
      if (this.currentState === 'Stopped') return;
      if (err) return this.scheduleReconnect('channel not ready', err);
      this.hooks.refreshNodeInfo().then(
        () => this.openWatch(),
        (e: unknown) => this.scheduleReconnect('GetNodeInfo failed', e),
      );
    });
  }

  private openWatch(): void {
    if (this.currentState === 'Stopped') return;
    this.setState('Syncing');
    const stream = this.client.watchPods({
      ...this.map.position(),
      heartbeatIntervalMs: this.options.watchHeartbeatMs,
    });
    this.stream = stream;
    stream.on('data', (event: WatchPodsEvent__Output) => {
      if (this.stream === stream) this.onEvent(event);
    });
    stream.on('error', (err: grpc.ServiceError) => {
      if (this.stream === stream) this.scheduleReconnect('watch failed', err);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.scheduleReconnect('watch ended');
    });
  }

  private onEvent(event: WatchPodsEvent__Output): void {
    const receivedAtMs = this.options.now();
    this.hooks.answered(receivedAtMs);
    const effect = this.map.apply(event);
    switch (effect.kind) {
      case 'synced':
        if (this.syncedOnce) this.metrics.runnerReconnectsTotal.inc();
        this.syncedOnce = true;
        this.backoff.reset();
        this.setState('Synced');
        this.handlers?.synced(this.map.pods());
        return;
      case 'changed':
        if (this.isSynced()) this.handlers?.podChanged(effect.pod, receivedAtMs);
        return;
      case 'deleted':
        this.handlers?.podDeleted(effect.pod, receivedAtMs);
        return;
      case 'none':
        return;
    }
  }
}
