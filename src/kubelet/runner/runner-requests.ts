import type * as grpc from '@grpc/grpc-js';
import { UnavailableError } from '../../common/errors.js';
import type { AddEphemeralContainerRequest } from '../../generated/vkcmd/runner/v1/AddEphemeralContainerRequest.js';
import type { DeletePodResponse__Output } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { GetLogsRequest } from '../../generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import type { ProbeMetrics__Output } from '../../generated/vkcmd/runner/v1/ProbeMetrics.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { RunnerHealth__Output } from '../../generated/vkcmd/runner/v1/RunnerHealth.js';
import type { Stats__Output } from '../../generated/vkcmd/runner/v1/Stats.js';
import { CallLimiter } from './call-limiter.js';
import type { LogCall, LogSink } from './runner.js';
import { pipeLogStream, unaryCall } from './runner-calls.js';
import { StatsStream } from './stats-stream.js';
import { PodCommandStream } from './pod-command-stream.js';

export interface RunnerRequestsOptions {
  /** Deadline of unary calls unless the caller names one. */
  callTimeoutMs: number;
  /** CreatePod calls in flight at once. */
  maxCreatesInFlight: number;
  /** DeletePod/AddEphemeralContainer calls in flight at once, apart from the creates. */
  maxMutationsInFlight: number;
  now: () => number;
  /** The link was stopped: the pod and node controllers' calls are refused. */
  isStopped: () => boolean;
  /** The client was closed: every call is refused. */
  isClosed: () => boolean;
}

/**
 * RunnerLink's calls and log streams, each answer or failure in the shared
 * error kinds (unaryCall). CreatePod and DeletePod go as messages on one
 * PodCommands stream (PodCommandStream), stats on one StreamStats stream;
 * both fall back to the unary calls for a runner without them. Mutations go
 * through CallLimiters: a
 * call's deadline starts when it is sent, not while it waits. CreatePod has
 * a limiter of its own because the runner answers it only after the pod's
 * first starts (seconds under load, beside a pod of many containers), while
 * DeletePod answers at once: one shared pool let slow creates hold every slot,
 * so creates went at (slots / answer time) pods per second and deletes
 * waited behind them. Nothing here touches the pod map; the link applies the
 * pods returned.
 */
export class RunnerRequests {
  private readonly creates: CallLimiter;
  private readonly mutations: CallLimiter;
  private readonly stats: StatsStream;
  private readonly commands: PodCommandStream;

  constructor(
    private readonly client: RunnerClient,
    private readonly options: RunnerRequestsOptions,
  ) {
    this.creates = new CallLimiter(options.maxCreatesInFlight);
    this.mutations = new CallLimiter(options.maxMutationsInFlight);
    this.stats = new StatsStream(
      () => client.streamStats(),
      (timeoutMs) =>
        this.call<Stats__Output>((cb, deadline) => this.client.getStats({}, { deadline }, cb), timeoutMs),
    );
    this.commands = new PodCommandStream(() => client.podCommands(), {
      createPod: (request, timeoutMs) =>
        this.call<Pod__Output>((cb, deadline) => this.client.createPod(request, { deadline }, cb), timeoutMs),
      deletePod: (request, timeoutMs) =>
        this.call<DeletePodResponse__Output>(
          (cb, deadline) => this.client.deletePod(request, { deadline }, cb),
          timeoutMs,
        ),
    });
  }

  /** Ends the stats and pod command streams (the link closes its client). */
  close(): void {
    this.stats.close();
    this.commands.close();
  }

  /** CreatePod calls and DeletePod/AddEphemeralContainer calls, each in flight and waiting. */
  get load(): { creates: CallLimiter['load']; mutations: CallLimiter['load'] } {
    return { creates: this.creates.load, mutations: this.mutations.load };
  }

  /** CreatePod, on the pod command stream. */
  createPod(spec: PodSpec): Promise<Pod__Output> {
    return this.creates.run(() =>
      this.command(() => this.commands.createPod(spec, this.options.callTimeoutMs)),
    );
  }

  /** DeletePod, on the pod command stream. */
  deletePod(uid: string, gracePeriodSeconds: number | undefined): Promise<DeletePodResponse__Output> {
    const request = gracePeriodSeconds === undefined ? { uid } : { uid, gracePeriodSeconds };
    return this.mutations.run(() =>
      this.command(() => this.commands.deletePod(request, this.options.callTimeoutMs)),
    );
  }

  addEphemeralContainer(request: AddEphemeralContainerRequest): Promise<Pod__Output> {
    return this.mutations.run(() =>
      this.unary<Pod__Output>((cb, deadline) => this.client.addEphemeralContainer(request, { deadline }, cb)),
    );
  }

  getNodeInfo(): Promise<NodeInfo__Output> {
    return this.unary<NodeInfo__Output>((cb, deadline) => this.client.getNodeInfo({}, { deadline }, cb));
  }

  /** One collection, on the stats stream (StatsStream's contract). */
  getStats(timeoutMs = this.options.callTimeoutMs): Promise<Stats__Output> {
    if (this.options.isClosed()) return Promise.reject(new UnavailableError('runner link closed'));
    return this.stats.collect(timeoutMs);
  }

  getProbeMetrics(timeoutMs = this.options.callTimeoutMs): Promise<ProbeMetrics__Output> {
    return this.call<ProbeMetrics__Output>(
      (cb, deadline) => this.client.getProbeMetrics({}, { deadline }, cb),
      timeoutMs,
    );
  }

  getRunnerHealth(timeoutMs = this.options.callTimeoutMs): Promise<RunnerHealth__Output> {
    return this.call<RunnerHealth__Output>(
      (cb, deadline) => this.client.getRunnerHealth({}, { deadline }, cb),
      timeoutMs,
    );
  }

  getLogs(request: GetLogsRequest, sink: LogSink): LogCall {
    return pipeLogStream(() => {
      if (this.options.isClosed()) throw new Error('the runner link is closed');
      return this.client.getLogs(request);
    }, sink);
  }

  /** A call of the pod and node controllers (a unary call or a pod command): refused once the link is stopped or closed. */
  private command<T>(send: () => Promise<T>): Promise<T> {
    if (this.options.isStopped()) return Promise.reject(new UnavailableError('runner link stopped'));
    if (this.options.isClosed()) return Promise.reject(new UnavailableError('runner link closed'));
    return send();
  }

  /** A unary call of the pod and node controllers (command's refusals). */
  private unary<T>(invoke: (cb: grpc.requestCallback<T>, deadline: Date) => void): Promise<T> {
    return this.command(() => this.call(invoke, this.options.callTimeoutMs));
  }

  private call<T>(
    invoke: (cb: grpc.requestCallback<T>, deadline: Date) => void,
    timeoutMs: number,
  ): Promise<T> {
    if (this.options.isClosed()) return Promise.reject(new UnavailableError('runner link closed'));
    return unaryCall(invoke, new Date(this.options.now() + timeoutMs));
  }
}
