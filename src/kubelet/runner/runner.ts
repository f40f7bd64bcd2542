import type { AddEphemeralContainerRequest } from '../../generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { GetLogsRequest } from '../../generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import type { ProbeMetrics__Output } from '../../generated/vkcmd/runner/v1/ProbeMetrics.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { RunnerHealth__Output } from '../../generated/vkcmd/runner/v1/RunnerHealth.js';
import type { KindError } from '../../common/errors.js';
import type { RunnerStreams } from './runner-streams.js';

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
  /** silentSinceMs() changed: the runner stopped answering, or answers again. */
  livenessChanged(): void;
}

/** Receives one GetLogs stream. Called from gRPC callbacks (never before getLogs returns): must not block. */
export interface LogSink {
  /** The runner accepted the call (its response headers arrived); output may still be far off. */
  accepted(): void;
  /** The next piece of output, in order. */
  data(chunk: Buffer): void;
  /** The stream ended normally: not following, or the followed run ended. */
  end(): void;
  /**
   * The stream failed: NotFoundError (pod, container or previous run
   * unknown), PreconditionError (no logs yet, e.g. a waiting container),
   * InvalidInputError (bad options), UnavailableError (the runner did not
   * answer or went away; also after `cancel()`), InternalError. Final: no
   * other callback follows.
   */
  error(err: KindError): void;
}

/** An open GetLogs call. */
export interface LogCall {
  /** Stops delivering data until resume() (back-pressure from a slow HTTP client). */
  pause(): void;
  resume(): void;
  /** Abandons the call; the sink then gets error(UnavailableError). Idempotent. */
  cancel(): void;
}

/**
 * The kubelet's one view of its runner, used by the node and pod
 * controllers and the HTTPS API alike; RunnerLink implements it. Its errors
 * are the shared kinds of src/common/errors.ts, translated from gRPC once
 * (src/common/grpc-errors.ts), so no caller reads a gRPC status.
 *
 * As virtual-kubelet's PodLifecycleHandler, every call states what it
 * returns, whether it is idempotent, whether it may block and its deadline.
 * In every call UnavailableError means "the runner did not answer" (it is
 * down, shutting down, silent past the deadline, or the link is stopped): it
 * says nothing about the pod, so callers retry and never conclude a pod
 * failed because of it.
 *
 * The read-only accessors (state, pods, nodeInfo, ...) never block, never
 * throw and never call the runner: they read what the watch delivered.
 */
export interface Runner extends RunnerStreams {
  // -- Lifecycle (the owner, Kubelet, calls these) --

  /** Starts connecting, watching and resuming; never throws. Handlers are called from then on. */
  start(handlers: RunnerLinkHandlers): void;
  /**
   * Stops the watch and every timer; later createPod, deletePod and
   * refreshNodeInfo reject with UnavailableError. getStats and getLogs keep
   * working until close(), so the HTTPS API can serve while the kubelet
   * shuts down. Idempotent.
   */
  stop(): void;
  /** stop(), then closes the connection; every call after it fails with UnavailableError. Idempotent. */
  close(): void;
  /**
   * The runner can be reached now (a dial-in runner has just connected):
   * skip the rest of the reconnect back-off. Never blocks, never throws;
   * a no-op unless the link is waiting to reconnect.
   */
  reconnectNow(): void;

  // -- Link state (from the watch; never blocks) --

  readonly state: LinkState;
  /** The pod map is the runner's complete, current state (the watch replayed and is live). */
  isSynced(): boolean;
  /** Since when the link has not been Synced; undefined while Synced. */
  unsyncedSinceMs(): number | undefined;
  /** Whether the link was ever synced since start. */
  hasSyncedOnce(): boolean;
  /**
   * Since when the runner has answered nothing (not even a health check
   * within its deadline), once that is known: a stopped or wedged runner
   * whose connection stays open. Undefined while it answers, and when it is
   * gone rather than silent (connections refused: see unsyncedSinceMs). It
   * lasts until the link has synced again.
   */
  silentSinceMs(): number | undefined;
  /** The connection to the runner is up and the runner is not silent. Says nothing about the watch. */
  isConnected(): boolean;
  /** The host facts of the last GetNodeInfo, or undefined before the first answer. */
  nodeInfo(): NodeInfo__Output | undefined;
  /** The runner's pods by UID, as the watch delivered them (plus newer results of createPod/deletePod). Do not mutate. */
  pods(): ReadonlyMap<string, Pod__Output>;
  /** One pod of pods(), or undefined. */
  getPod(uid: string): Pod__Output | undefined;

  // -- Calls to the runner --

  /**
   * GetNodeInfo: fresh host facts (capacity may change); also updates
   * nodeInfo() and calls the nodeInfo handler. Idempotent, no side effect on
   * the runner. Rejects with UnavailableError (no answer within the call
   * deadline, 10 s by default; the link stopped) or InternalError.
   */
  refreshNodeInfo(): Promise<NodeInfo__Output>;
  /**
   * CreatePod: validates the spec, writes its files and starts its
   * containers. Idempotent per UID: for a UID the runner holds it returns
   * that pod and starts nothing. The returned pod is applied to pods().
   * May block: calls beyond MAX_CREATES_IN_FLIGHT wait for a slot (no
   * deadline while waiting); the call deadline (10 s) starts when it is sent.
   * Rejects with UnavailableError (no answer, or the runner cannot take it
   * now, e.g. a same-named pod is still being deleted: retry), or with a
   * refusal of the spec, which retrying unchanged cannot fix:
   * InvalidInputError (the spec is invalid, e.g. a path leaving the pod
   * directory), PreconditionError (the UID was deleted before and never runs
   * again), ConflictError (a same-named pod with another UID runs),
   * InternalError (the runner failed to set it up).
   */
  createPod(spec: PodSpec): Promise<Pod__Output>;
  /**
   * DeletePod: SIGTERM now, SIGKILL after the grace period (undefined: the
   * runner's default, 30 s; at least 2 s); returns at once, the watch's
   * DELETED follows when every process is gone. Idempotent: an unknown UID
   * is not an error (`found` false), a repeated call keeps the shorter grace.
   * May block for a slot (MAX_MUTATIONS_IN_FLIGHT, a pool apart from
   * createPod's, so deletes never wait behind slow creates); deadline 10 s
   * once sent. Rejects with
   * UnavailableError, InvalidInputError (empty UID) or InternalError.
   */
  deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output>;
  /**
   * AddEphemeralContainer: starts a `kubectl debug` container in a running
   * pod, in its target container's directory and environment. Idempotent per
   * container name. The returned pod is applied to pods(). May block for a
   * slot as createPod; deadline 10 s once sent. Rejects with
   * UnavailableError, NotFoundError (pod unknown), PreconditionError (the pod
   * does not run), InvalidInputError (a malformed container) or InternalError.
   */
  addEphemeralContainer(request: AddEphemeralContainerRequest): Promise<Pod__Output>;
  /**
   * GetStats: node and per-container CPU and memory, from one /proc scan,
   * asked on the link's StreamStats stream (GetStats for a runner without
   * it). Idempotent, read-only; does not wait for a slot. Deadline
   * `timeoutMs` (default: the link's call deadline). Rejects with
   * UnavailableError or InternalError. Works in any link state until close().
   */
  getStats(timeoutMs?: number): Promise<Stats__Output>;
  /**
   * GetProbeMetrics: cumulative probe results per pod, container and probe
   * type (prober_probe_total). Idempotent, read-only, cheap (no scan); does
   * not wait for a slot. Deadline and failures as getStats.
   */
  getProbeMetrics(timeoutMs?: number): Promise<ProbeMetrics__Output>;

  /**
   * GetRunnerHealth: the runner's own event-loop delay, RSS, pods and /proc
   * scans. Read-only, idempotent, bounded by `timeoutMs` (default: the
   * link's call deadline). Rejects with UnavailableError or InternalError.
   * Works in any link state until close().
   */
  getRunnerHealth(timeoutMs?: number): Promise<RunnerHealth__Output>;

  /**
   * GetLogs: streams a container's output to `sink`. Read-only; never
   * throws (failures go to sink.error). No deadline: a follow stream lasts
   * until the run ends, the pod is deleted or `cancel()`. Works in any link
   * state until close().
   */
  getLogs(request: GetLogsRequest, sink: LogSink): LogCall;
}
