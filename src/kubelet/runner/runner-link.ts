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
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { LinkState, LogCall, LogSink, Runner, RunnerLinkHandlers } from './runner.js';
import { watchHeartbeatMs } from './runner-liveness.js';
import { RunnerSilenceWatch } from './runner-silence-watch.js';
import { RunnerWatch } from './runner-watch.js';

export interface RunnerLinkOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Deadline of unary calls. */
  callTimeoutMs?: number;
  /** CreatePod calls in flight at once (default MAX_CREATES_IN_FLIGHT). */
  maxCreatesInFlight?: number;
  /** DeletePod/AddEphemeralContainer calls in flight at once (default MAX_MUTATIONS_IN_FLIGHT). */
  maxMutationsInFlight?: number;
  /** Period and deadline of the health checks that tell a silent runner (heartbeatIntervalMs(grace)); default 5 s. */
  heartbeatIntervalMs?: number;
  /** Whether a runner is there to answer (a dial-in channel's attachment); absent is unreachable, never silent. */
  runnerPresent?: () => boolean;
  now?: () => number;
}

/**
 * CreatePod calls in flight. The runner answers one after the pod's first
 * starts, about 2.8 s beside a 1,000-container pod at load 25-80: 32 calls
 * then carried about 11 pods/s against 20/s created. 128 carries 20/s up to
 * 6.4 s per answer and still bounds a burst of 1,000 pods to 128 open calls
 * (the runner's start queue, not this, orders the starts).
 */
export const MAX_CREATES_IN_FLIGHT = 128;

/** DeletePod/AddEphemeralContainer calls in flight; the runner answers them at once. */
export const MAX_MUTATIONS_IN_FLIGHT = 32;

/**
 * The kubelet's link to the runner: connects with capped exponential back-off
 * and jitter, keeps a WatchPods stream, and resumes it from the last (epoch,
 * revision) after a drop so no change is missed (the session, its link state
 * and the runner's pod map are `RunnerWatch`).
 *
 * Reconnecting does what "ListPods, then WatchPods from the last revision"
 * would, in one call: WatchPods from the last (epoch, revision) replays every
 * change since (or, when the runner cannot resume that position, sends RESET
 * and a full snapshot, which is ListPods taken atomically with the start of
 * the watch, so no change can fall between the two), then SYNCED. Only then
 * is the link Synced and the pod controller reconciles every pod against the
 * complete map; a separate ListPods would add a second, racing copy.
 *
 * A runner that answers nothing (stopped, wedged) is told from one that is
 * gone by its watch heartbeats (asked for every half `heartbeatIntervalMs`
 * of quiet) and, in a period without any message from it, a health check:
 * silentSinceMs() says since when it has been silent. Silence alone never drops the watch; the
 * channel's keepalive pings replace a dead connection, and when the runner
 * answers again the link resumes at once instead of waiting out its back-off.
 *
 * The only user of the gRPC client in the kubelet: every answer is
 * translated into the shared error kinds here (see `Runner` for each call's
 * contract). It owns the client and closes it in close().
 */
export class RunnerLink implements Runner {
  private info: NodeInfo__Output | undefined;
  private readonly callTimeoutMs: number;
  /** WatchPods, the link state and the runner's pod map. */
  private readonly watch: RunnerWatch;
  /** Unary calls and log streams; CreatePod and DeletePod bounded in flight. */
  private readonly requests: RunnerRequests;
  private readonly now: () => number;
  private closed = false;
  private readonly silence: RunnerSilenceWatch;
  /** Exec, Attach and PortForward: one bidirectional call each, no deadline, in any link state. */
  private readonly streams: RunnerStreams;

  constructor(
    private readonly client: RunnerClient,
    metrics: KubeletMetrics,
    logger: Logger,
    options: RunnerLinkOptions = {},
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
    this.watch = new RunnerWatch(
      client,
      metrics,
      logger,
      {
        initialBackoffMs: options.initialBackoffMs ?? 250,
        maxBackoffMs: options.maxBackoffMs ?? 10_000,
        callTimeoutMs: this.callTimeoutMs,
        watchHeartbeatMs: watchHeartbeatMs(heartbeatIntervalMs),
        now: this.now,
      },
      {
        refreshNodeInfo: () => this.refreshNodeInfo(),
        synced: () => this.silence.synced(),
        answered: (nowMs) => this.silence.answered(nowMs),
      },
    );
    this.requests = new RunnerRequests(client, {
      callTimeoutMs: this.callTimeoutMs,
      maxCreatesInFlight: options.maxCreatesInFlight ?? MAX_CREATES_IN_FLIGHT,
      maxMutationsInFlight: options.maxMutationsInFlight ?? MAX_MUTATIONS_IN_FLIGHT,
      now: this.now,
      isStopped: () => this.watch.state === 'Stopped',
      isClosed: () => this.closed,
    });
    this.streams = createRunnerStreams(client);
    this.silence = new RunnerSilenceWatch(
      client,
      metrics,
      logger,
      {
        heartbeatIntervalMs,
        runnerPresent: options.runnerPresent,
        now: this.now,
      },
      {
        isSynced: () => this.watch.isSynced(),
        state: () => this.watch.state,
        answered: () => this.watch.resumeNow(),
        changed: () => this.watch.livenessChanged(),
      },
    );
  }

  get state(): LinkState {
    return this.watch.state;
  }

  isSynced(): boolean {
    return this.watch.isSynced();
  }

  /** Since when the link has not been Synced; undefined while Synced. */
  unsyncedSinceMs(): number | undefined {
    return this.watch.unsyncedSinceMs();
  }

  hasSyncedOnce(): boolean {
    return this.watch.hasSyncedOnce();
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
    return this.watch.pods();
  }

  getPod(uid: string): Pod__Output | undefined {
    return this.watch.getPod(uid);
  }

  start(handlers: RunnerLinkHandlers): void {
    this.watch.start(handlers);
    this.silence.start();
  }

  /**
   * Skips the rest of the back-off: a dial-in runner has just connected, so
   * waiting longer would only delay the node. No-op unless Disconnected.
   */
  reconnectNow(): void {
    this.watch.resumeNow();
  }

  stop(): void {
    this.watch.stop();
    this.silence.stop();
  }

  close(): void {
    this.stop();
    if (this.closed) return;
    this.closed = true;
    this.requests.close();
    this.client.close();
  }

  async createPod(spec: PodSpec): Promise<Pod__Output> {
    const pod = await this.requests.createPod(spec);
    this.watch.applyPod(pod, this.now());
    return pod;
  }

  async deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output> {
    const response = await this.requests.deletePod(uid, gracePeriodSeconds);
    if (response.pod) this.watch.applyPod(response.pod, this.now());
    return response;
  }

  /** AddEphemeralContainer; idempotent per name on the runner. The returned pod is applied to the local map. */
  async addEphemeralContainer(request: AddEphemeralContainerRequest): Promise<Pod__Output> {
    const pod = await this.requests.addEphemeralContainer(request);
    this.watch.applyPod(pod, this.now());
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
    this.watch.nodeInfoChanged(info);
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
}
