import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { AddEphemeralContainerRequest } from '../../generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { AttachStart } from '../../generated/vkcmd/runner/v1/AttachStart.js';
import type { ExecStart } from '../../generated/vkcmd/runner/v1/ExecStart.js';
import type { PortForwardStart } from '../../generated/vkcmd/runner/v1/PortForwardStart.js';
import {
  createRunnerStreams,
  type ByteCall,
  type ByteSink,
  type ProcessCall,
  type ProcessSink,
  type RunnerStreams,
} from './runner-streams.js';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { GetLogsRequest } from '../../generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import { RunnerRequests } from './runner-requests.js';
import type { ProbeMetrics__Output } from '../../generated/vkcmd/runner/v1/ProbeMetrics.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { RunnerHealth__Output } from '../../generated/vkcmd/runner/v1/RunnerHealth.js';
import type { WatchPodsEvent__Output } from '../../generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { Backoff } from '../../common/backoff.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { LinkState, LogCall, LogSink, Runner, RunnerLinkHandlers } from './runner.js';
import { RunnerPodMap } from './runner-pod-map.js';
import { RunnerSilenceWatch } from './runner-silence-watch.js';

export interface RunnerLinkOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Deadline of unary calls. */
  callTimeoutMs?: number;
  /** CreatePod/DeletePod calls in flight at once (default MAX_MUTATIONS_IN_FLIGHT). */
  maxMutationsInFlight?: number;
  /** Period and deadline of the health checks that tell a silent runner (heartbeatIntervalMs(grace)); default 5 s. */
  heartbeatIntervalMs?: number;
  /** Whether a runner is there to answer (a dial-in channel's attachment); absent is unreachable, never silent. */
  runnerPresent?: () => boolean;
  now?: () => number;
}

/** Enough to keep the runner busy (it starts containers one at a time) without a pile of open calls. */
export const MAX_MUTATIONS_IN_FLIGHT = 32;

/**
 * The kubelet's link to the runner: connects with capped exponential back-off
 * and jitter, keeps a WatchPods stream, and resumes it from the last (epoch,
 * revision) after a drop so no change is missed. Holds the runner's pod map.
 *
 * Reconnecting does what "ListPods, then WatchPods from the last revision"
 * would, in one call: WatchPods from the last (epoch, revision) replays every
 * change since (or, when the runner cannot resume that position, sends RESET
 * and a full snapshot, which is ListPods taken atomically with the start of
 * the watch, so no change can fall between the two), then SYNCED. Only then
 * is the link Synced and the pod controller reconciles every pod against the
 * complete map; a separate ListPods would add a second, racing copy.
 *
 * A health check every `heartbeatIntervalMs` tells a runner that answers
 * nothing (stopped, wedged) from one that is gone: silentSinceMs() says
 * since when it has been silent. Silence alone never drops the watch; the
 * channel's keepalive pings replace a dead connection, and when the runner
 * answers again the link resumes at once instead of waiting out its back-off.
 *
 * The only user of the gRPC client in the kubelet: every answer is
 * translated into the shared error kinds here (see `Runner` for each call's
 * contract). It owns the client and closes it in close().
 */
export class RunnerLink implements Runner {
  private currentState: LinkState = 'Idle';
  private readonly map = new RunnerPodMap();
  private info: NodeInfo__Output | undefined;
  private stream: grpc.ClientReadableStream<WatchPodsEvent__Output> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private downSinceMs: number;
  private syncedOnce = false;
  private readonly backoff: Backoff;
  private readonly callTimeoutMs: number;
  /** Unary calls and log streams; CreatePod and DeletePod bounded in flight. */
  private readonly requests: RunnerRequests;
  private readonly now: () => number;
  private handlers: RunnerLinkHandlers | undefined;
  private closed = false;
  private readonly silence: RunnerSilenceWatch;
  /** Exec, Attach and PortForward: one bidirectional call each, no deadline, in any link state. */
  private readonly streams: RunnerStreams;

  constructor(
    private readonly client: RunnerClient,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    options: RunnerLinkOptions = {},
  ) {
    this.backoff = new Backoff(options.initialBackoffMs ?? 250, options.maxBackoffMs ?? 10_000);
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.downSinceMs = this.now();
    this.requests = new RunnerRequests(client, {
      callTimeoutMs: this.callTimeoutMs,
      maxMutationsInFlight: options.maxMutationsInFlight ?? MAX_MUTATIONS_IN_FLIGHT,
      now: this.now,
      isStopped: () => this.currentState === 'Stopped',
      isClosed: () => this.closed,
    });
    this.streams = createRunnerStreams(client);
    this.silence = new RunnerSilenceWatch(
      client,
      metrics,
      logger,
      {
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5_000,
        runnerPresent: options.runnerPresent,
        now: this.now,
      },
      {
        isSynced: () => this.isSynced(),
        state: () => this.currentState,
        answered: () => this.resumeNow(),
        changed: () => this.handlers?.livenessChanged(),
      },
    );
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

  silentSinceMs(): number | undefined {
    return this.silence.silentSinceMs();
  }

  isConnected(): boolean {
    if (this.closed || this.silence.silentSinceMs() !== undefined) return false;
    return this.client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
  }

  nodeInfo(): NodeInfo__Output | undefined {
    return this.info;
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
    this.silence.start();
  }

  /**
   * Skips the rest of the back-off: a dial-in runner has just connected, so
   * waiting longer would only delay the node. No-op unless Disconnected.
   */
  reconnectNow(): void {
    this.resumeNow();
  }

  stop(): void {
    this.setState('Stopped');
    this.silence.stop();
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  close(): void {
    this.stop();
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  async createPod(spec: PodSpec): Promise<Pod__Output> {
    const pod = await this.requests.createPod(spec);
    this.applyPod(pod, this.now());
    return pod;
  }

  async deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output> {
    const response = await this.requests.deletePod(uid, gracePeriodSeconds);
    if (response.pod) this.applyPod(response.pod, this.now());
    return response;
  }

  /** AddEphemeralContainer; idempotent per name on the runner. The returned pod is applied to the local map. */
  async addEphemeralContainer(request: AddEphemeralContainerRequest): Promise<Pod__Output> {
    const pod = await this.requests.addEphemeralContainer(request);
    this.applyPod(pod, this.now());
    return pod;
  }

  exec(start: ExecStart, sink: ProcessSink): ProcessCall {
    return this.streams.exec(start, sink);
  }

  attach(start: AttachStart, sink: ProcessSink): ProcessCall {
    return this.streams.attach(start, sink);
  }

  portForward(start: PortForwardStart, sink: ByteSink): ByteCall {
    return this.streams.portForward(start, sink);
  }

  async refreshNodeInfo(): Promise<NodeInfo__Output> {
    const info = await this.requests.getNodeInfo();
    this.info = info;
    this.handlers?.nodeInfo(info);
    return info;
  }

  getStats(timeoutMs?: number): Promise<Stats__Output> {
    return this.requests.getStats(timeoutMs);
  }

  getProbeMetrics(timeoutMs?: number): Promise<ProbeMetrics__Output> {
    return this.requests.getProbeMetrics(timeoutMs);
  }

  getRunnerHealth(timeoutMs?: number): Promise<RunnerHealth__Output> {
    return this.requests.getRunnerHealth(timeoutMs);
  }

  getLogs(request: GetLogsRequest, sink: LogSink): LogCall {
    return this.requests.getLogs(request, sink);
  }

  /** The runner answers while the link waits out its back-off: reconnect now, it is there. */
  private resumeNow(): void {
    if (this.currentState !== 'Disconnected') return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  /** Applies a pod returned by a call if it is newer than what the watch delivered. */
  private applyPod(pod: Pod__Output, receivedAtMs: number): void {
    if (this.map.applyAnswer(pod) && this.isSynced()) this.handlers?.podChanged(pod, receivedAtMs);
  }

  private setState(next: LinkState): void {
    const previous = this.currentState;
    if (previous === next || previous === 'Stopped') return;
    this.currentState = next;
    if (next === 'Synced') {
      this.silence.synced();
      this.metrics.runnerLinkUp.set(1);
    } else {
      this.metrics.runnerLinkUp.set(0);
      if (previous === 'Synced') this.downSinceMs = this.now();
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
    this.client.waitForReady(new Date(this.now() + this.callTimeoutMs), (err) => {
      if (this.currentState === 'Stopped') return;
      if (err) return this.scheduleReconnect('channel not ready', err);
      this.refreshNodeInfo().then(
        () => this.openWatch(),
        (e: unknown) => this.scheduleReconnect('GetNodeInfo failed', e),
      );
    });
  }

  private openWatch(): void {
    if (this.currentState === 'Stopped') return;
    this.setState('Syncing');
    const stream = this.client.watchPods(this.map.position());
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
    const receivedAtMs = this.now();
    this.silence.answered(receivedAtMs);
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
