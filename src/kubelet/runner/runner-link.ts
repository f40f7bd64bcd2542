import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { AddEphemeralContainerRequest } from '../../generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { WatchPodsEvent__Output } from '../../generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { Backoff } from '../backoff.js';
import { CallLimiter } from './call-limiter.js';
import { UnavailableError } from '../errors.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';

/**
 * Connecting: waiting for the channel and NodeInfo. Syncing: the watch is
 * open and replaying. Synced: the kubelet holds the runner's state and gets
 * live changes. Disconnected: waiting out the back-off. Stopped: final.
 */
export type LinkState = 'Idle' | 'Connecting' | 'Syncing' | 'Synced' | 'Disconnected' | 'Stopped';

/** What the link reports; called synchronously from gRPC callbacks, so handlers must not block. */
export interface RunnerLinkHandlers {
  /** A pod was added or changed (snapshot, replay or live). `receivedAtMs` is when the event arrived. */
  podChanged(pod: Pod__Output, receivedAtMs: number): void;
  /** The runner forgot a pod after DeletePod (every process gone). */
  podDeleted(pod: Pod__Output, receivedAtMs: number): void;
  /** The link is Synced: `pods` is the runner's complete state. Called on every (re)sync. */
  synced(pods: ReadonlyMap<string, Pod__Output>): void;
  stateChanged(state: LinkState, previous: LinkState): void;
  nodeInfo(info: NodeInfo__Output): void;
}

export interface RunnerLinkOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Deadline of unary calls. */
  callTimeoutMs?: number;
  /** CreatePod/DeletePod calls in flight at once (default MAX_MUTATIONS_IN_FLIGHT). */
  maxMutationsInFlight?: number;
  now?: () => number;
}

/** A gRPC error from the runner that is not about reachability (e.g. INVALID_ARGUMENT). */
export class RunnerCallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = 'RunnerCallError';
  }
}

/** Enough to keep the runner busy (it starts containers one at a time) without a pile of open calls. */
export const MAX_MUTATIONS_IN_FLIGHT = 32;

const UNREACHABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

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
 */
export class RunnerLink {
  private currentState: LinkState = 'Idle';
  private readonly runnerPods = new Map<string, Pod__Output>();
  private staged: Map<string, Pod__Output> | undefined;
  private epoch = '';
  private revision = 0;
  private info: NodeInfo__Output | undefined;
  private stream: grpc.ClientReadableStream<WatchPodsEvent__Output> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private downSinceMs: number;
  private syncedOnce = false;
  private readonly backoff: Backoff;
  private readonly callTimeoutMs: number;
  private readonly now: () => number;
  private handlers: RunnerLinkHandlers | undefined;
  /** CreatePod and DeletePod in flight; a call's deadline starts when it is sent, not while it waits. */
  private readonly mutations: CallLimiter;

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
    this.mutations = new CallLimiter(options.maxMutationsInFlight ?? MAX_MUTATIONS_IN_FLIGHT);
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

  /** Whether the link was ever synced since start. */
  hasSyncedOnce(): boolean {
    return this.syncedOnce;
  }

  nodeInfo(): NodeInfo__Output | undefined {
    return this.info;
  }

  pods(): ReadonlyMap<string, Pod__Output> {
    return this.runnerPods;
  }

  getPod(uid: string): Pod__Output | undefined {
    return this.runnerPods.get(uid);
  }

  /** Starts connecting; never throws. */
  start(handlers: RunnerLinkHandlers): void {
    this.handlers = handlers;
    this.connect();
  }

  /** Stops the watch and retry timers. The client is not closed (its owner closes it). */
  stop(): void {
    this.setState('Stopped');
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  /** CreatePod; idempotent per UID on the runner. The returned pod is applied to the local map. */
  async createPod(spec: PodSpec): Promise<Pod__Output> {
    const pod = await this.mutations.run(() =>
      this.unary<Pod__Output>((cb, deadline) => this.client.createPod({ pod: spec }, { deadline }, cb)),
    );
    this.applyPod(pod, this.now());
    return pod;
  }

  async deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output> {
    const request = gracePeriodSeconds === undefined ? { uid } : { uid, gracePeriodSeconds };
    const response = await this.mutations.run(() =>
      this.unary<DeletePodResponse__Output>((cb, deadline) =>
        this.client.deletePod(request, { deadline }, cb),
      ),
    );
    if (response.pod) this.applyPod(response.pod, this.now());
    return response;
  }

  /** AddEphemeralContainer; idempotent per name on the runner. The returned pod is applied to the local map. */
  async addEphemeralContainer(request: AddEphemeralContainerRequest): Promise<Pod__Output> {
    const pod = await this.mutations.run(() =>
      this.unary<Pod__Output>((cb, deadline) => this.client.addEphemeralContainer(request, { deadline }, cb)),
    );
    this.applyPod(pod, this.now());
    return pod;
  }

  /** Fresh host facts (capacity may change); also updates nodeInfo(). */
  async refreshNodeInfo(): Promise<NodeInfo__Output> {
    const info = await this.unary<NodeInfo__Output>((cb, deadline) =>
      this.client.getNodeInfo({}, { deadline }, cb),
    );
    this.info = info;
    this.handlers?.nodeInfo(info);
    return info;
  }

  private unary<T>(invoke: (cb: grpc.requestCallback<T>, deadline: Date) => void): Promise<T> {
    if (this.currentState === 'Stopped') return Promise.reject(new UnavailableError('runner link stopped'));
    return new Promise<T>((resolve, reject) => {
      invoke(
        (err, value) => {
          if (err) {
            if (UNREACHABLE.has(err.code))
              reject(new UnavailableError(`runner unreachable: ${err.details}`, { cause: err }));
            else reject(new RunnerCallError(err.code, err.details || err.message));
          } else resolve(value as T);
        },
        new Date(this.now() + this.callTimeoutMs),
      );
    });
  }

  /** Applies a pod returned by a call if it is newer than what the watch delivered. */
  private applyPod(pod: Pod__Output, receivedAtMs: number): void {
    const known = this.runnerPods.get(pod.uid);
    if (known && known.revision >= pod.revision) return;
    this.runnerPods.set(pod.uid, pod);
    if (this.isSynced()) this.handlers?.podChanged(pod, receivedAtMs);
  }

  private setState(next: LinkState): void {
    const previous = this.currentState;
    if (previous === next || previous === 'Stopped') return;
    this.currentState = next;
    if (next === 'Synced') {
      this.metrics.runnerLinkUp.set(1);
    } else {
      this.metrics.runnerLinkUp.set(0);
      if (previous === 'Synced') this.downSinceMs = this.now();
    }
    this.logger.info(
      { from: previous, to: next, epoch: this.epoch, revision: this.revision },
      'Runner link state changed',
    );
    this.handlers?.stateChanged(next, previous);
  }

  private scheduleReconnect(reason: string, err?: unknown): void {
    if (this.currentState === 'Stopped') return;
    this.stream = undefined;
    this.staged = undefined;
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
    const stream = this.client.watchPods({ sinceRevision: this.revision, epoch: this.epoch });
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
    if (event.epoch) this.epoch = event.epoch;
    if (event.revision > this.revision || event.type === 'WATCH_EVENT_TYPE_RESET')
      this.revision = event.revision;
    const pod = event.pod;
    switch (event.type) {
      case 'WATCH_EVENT_TYPE_RESET':
        // Collect the snapshot aside so the old state stays visible until it is complete.
        this.staged = new Map();
        return;
      case 'WATCH_EVENT_TYPE_SNAPSHOT':
        if (pod) (this.staged ?? this.runnerPods).set(pod.uid, pod);
        return;
      case 'WATCH_EVENT_TYPE_SYNCED':
        if (this.staged) {
          this.runnerPods.clear();
          for (const [uid, p] of this.staged) this.runnerPods.set(uid, p);
          this.staged = undefined;
        }
        if (this.syncedOnce) this.metrics.runnerReconnectsTotal.inc();
        this.syncedOnce = true;
        this.backoff.reset();
        this.setState('Synced');
        this.handlers?.synced(this.runnerPods);
        return;
      case 'WATCH_EVENT_TYPE_ADDED':
      case 'WATCH_EVENT_TYPE_MODIFIED':
        if (!pod) return;
        if (this.staged) {
          this.staged.set(pod.uid, pod);
          return;
        }
        this.runnerPods.set(pod.uid, pod);
        if (this.isSynced()) this.handlers?.podChanged(pod, receivedAtMs);
        return;
      case 'WATCH_EVENT_TYPE_DELETED':
        if (!pod) return;
        if (this.staged) {
          this.staged.delete(pod.uid);
          return;
        }
        this.runnerPods.delete(pod.uid);
        this.handlers?.podDeleted(pod, receivedAtMs);
        return;
      default:
        return;
    }
  }
}
