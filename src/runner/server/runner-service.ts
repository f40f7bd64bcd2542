import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';
import type { WatchPodsEvent } from '../../generated/vkcmd/runner/v1/WatchPodsEvent.js';
import type { CreatePodRequest__Output } from '../../generated/vkcmd/runner/v1/CreatePodRequest.js';
import type { DeletePodRequest__Output } from '../../generated/vkcmd/runner/v1/DeletePodRequest.js';
import type { DeletePodResponse } from '../../generated/vkcmd/runner/v1/DeletePodResponse.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import {
  NotFoundError,
  PreconditionError,
  ResourceExhaustedError,
  UnavailableError,
} from '../../common/errors.js';
import { isInternal, toServiceError } from '../../common/grpc-errors.js';
import { streamLogs, type LogSink } from '../logs/log-reader.js';
import { logFile } from '../files/container-dir.js';
import { logRunFor, parseLogOptions } from '../logs/log-options.js';
import type { NodeInfoProvider } from '../host/node-info.js';
import type { RunnerHealthSource } from '../host/runner-health.js';
import type { PodManager } from '../pods/pod-manager.js';
import type { StatsCollector } from '../host/stats-collector.js';
import type { HubEvent, WatchHub } from './watch-hub.js';
import { WatchHeartbeat, watchHeartbeatIntervalMs } from './watch-heartbeat.js';
import { serveStatsStream } from './stats-stream.js';
import { servePodCommands } from './pod-commands.js';
import type { InteractiveHandlers, StreamHooks } from '../interactive/interactive-service.js';

/** Events a watcher may have buffered (beyond one snapshot) before it is cut off to resync. */
export const MAX_QUEUED_WATCH_EVENTS = 10_000;

interface OpenStream {
  close(reason: Error): void;
}

/**
 * The Runner service's handlers: thin adapters from calls to the pod
 * manager, hub, stats, node info and the runner's own health. Errors go through toServiceError.
 * Streams are tracked so closeStreams() can end them at shutdown.
 */
export class RunnerService {
  private readonly streams = new Set<OpenStream>();

  constructor(
    private readonly manager: PodManager,
    private readonly hub: WatchHub,
    private readonly stats: StatsCollector,
    private readonly nodeInfo: NodeInfoProvider,
    private readonly runnerHealth: RunnerHealthSource,
    private readonly log: Logger,
    private readonly maxQueuedWatchEvents = MAX_QUEUED_WATCH_EVENTS,
    private readonly interactive: (hooks: StreamHooks) => InteractiveHandlers = unimplementedInteractive,
  ) {}

  /** Ends every open stream with UNAVAILABLE (shutdown). */
  closeStreams(): void {
    for (const s of [...this.streams]) s.close(new UnavailableError('the runner is shutting down'));
    this.streams.clear();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private fail(method: string, err: unknown): Partial<grpc.StatusObject> {
    const status = toServiceError(err);
    if (isInternal(status)) this.log.error({ err, method }, 'Call failed');
    else this.log.debug({ method, code: status.code, details: status.details }, 'Call refused');
    return status;
  }

  private unary<Req, Res>(
    method: string,
    fn: (req: Req) => Res | Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (res) => callback(null, res),
          (err: unknown) => callback(this.fail(method, err) as grpc.ServiceError),
        );
    };
  }

  /** Registers a stream so closeStreams() ends it; returns the function that unregisters it. */
  private track(close: (reason: Error) => void): () => void {
    const stream: OpenStream = { close };
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  handlers(): RunnerHandlers {
    const interactive = this.interactive({
      track: (close) => this.track(close),
      fail: (method, err) => this.fail(method, err),
    });
    // The unary calls and PodCommands run the same two handlers.
    const createPod = (req: CreatePodRequest__Output): Promise<Pod> => this.manager.createStarted(req.pod);
    const deletePod = (req: DeletePodRequest__Output): DeletePodResponse => {
      const { found, pod } = this.manager.delete(req.uid, req.gracePeriodSeconds);
      return { found, pod: pod ?? null };
    };
    return {
      GetNodeInfo: this.unary('GetNodeInfo', () => this.nodeInfo.info()),
      CreatePod: this.unary('CreatePod', createPod),
      DeletePod: this.unary('DeletePod', deletePod),
      PodCommands: (call) =>
        servePodCommands(call, {
          createPod,
          deletePod,
          track: (close) => this.track(close),
          fail: (method, err) => this.fail(method, err),
        }),
      GetPod: this.unary('GetPod', (req) => this.manager.get(req.uid)),
      ListPods: this.unary('ListPods', () => ({
        pods: this.manager.list(),
        revision: this.hub.revision,
        epoch: this.hub.epoch,
      })),
      GetStats: this.unary('GetStats', () => this.stats.collect()),
      StreamStats: (call) =>
        serveStatsStream(call, {
          collect: () => this.stats.collect(),
          track: (close) => this.track(close),
          fail: (method, err) => this.fail(method, err),
        }),
      GetRunnerHealth: this.unary('GetRunnerHealth', () => this.runnerHealth.health()),
      GetProbeMetrics: this.unary('GetProbeMetrics', () => ({ counters: this.manager.probeCounters() })),
      WatchPods: (call) => this.watchPods(call),
      GetLogs: (call) => {
        void this.getLogs(call);
      },
      ...interactive,
    };
  }

  private watchPods(call: Parameters<RunnerHandlers['WatchPods']>[0]): void {
    let ended = false;
    let unsubscribe: () => void = () => undefined;
    const heartbeatMs = watchHeartbeatIntervalMs(call.request.heartbeatIntervalMs);
    // Pod changes count as heartbeats: a busy stream sends none of its own.
    const heartbeat =
      heartbeatMs === undefined
        ? undefined
        : new WatchHeartbeat(heartbeatMs, () => {
            if (!ended) call.write({ type: 'WATCH_EVENT_TYPE_HEARTBEAT', revision: this.hub.revision });
          });
    const stream: OpenStream = {
      close: (reason) => {
        if (ended) return;
        ended = true;
        heartbeat?.stop();
        unsubscribe();
        this.streams.delete(stream);
        call.emit('error', toServiceError(reason));
      },
    };
    const subscriber = {
      deliver: (event: HubEvent): void => {
        if (ended) return;
        if (call.writableLength > this.maxQueuedWatchEvents + this.manager.podCount) {
          this.log.warn({ queued: call.writableLength }, 'Watcher too slow; ending its stream so it resyncs');
          stream.close(
            new ResourceExhaustedError('watch consumer too slow; resume with your last revision or resync'),
          );
          return;
        }
        const out: WatchPodsEvent = {
          type: event.type,
          revision: event.revision,
          epoch: event.epoch,
          pod: event.pod ?? null,
        };
        call.write(out);
        heartbeat?.sent();
      },
    };
    this.streams.add(stream);
    call.on('cancelled', () => {
      ended = true;
      heartbeat?.stop();
      unsubscribe();
      this.streams.delete(stream);
    });
    call.on('close', () => heartbeat?.stop());
    unsubscribe = this.hub.subscribe(
      subscriber,
      { epoch: call.request.epoch, sinceRevision: call.request.sinceRevision },
      () => this.manager.list(),
    );
    if (ended) unsubscribe();
    else heartbeat?.start();
  }

  private async getLogs(call: Parameters<RunnerHandlers['GetLogs']>[0]): Promise<void> {
    let closed = false;
    const stream: OpenStream = {
      close: (reason) => {
        if (closed) return;
        closed = true;
        this.streams.delete(stream);
        call.emit('error', toServiceError(reason));
      },
    };
    call.on('cancelled', () => {
      closed = true;
      this.streams.delete(stream);
    });
    this.streams.add(stream);
    try {
      const req = call.request;
      const options = parseLogOptions(req, Date.now());
      const runtime = this.manager.find(req);
      const c = runtime.record.containers.find((x) => x.name === req.container);
      if (!c) throw new NotFoundError(`container "${req.container}" not found in pod ${runtime.key}`);
      if (!runtime.record.podDirWritten) {
        throw new PreconditionError(
          `container "${c.name}" in pod ${runtime.key} has no logs: its files were never written`,
        );
      }
      const previous = logRunFor(c, runtime.key, options.previous) === 'previous';
      if (previous && !options.streams.some((name) => existsSync(logFile(c.dir, name, true)))) {
        throw new NotFoundError(`previous terminated container "${c.name}" in pod ${runtime.key} not found`);
      }
      const logs = runtime.logsOf(c.name);
      // Headers now say "accepted": the kubelet answers 200 at once, even for a quiet follow,
      // and every refusal above still reaches it as an error status.
      call.sendMetadata(new grpc.Metadata());
      const sink: LogSink = {
        get closed() {
          return closed;
        },
        write: (data) =>
          new Promise<void>((resolve) => {
            if (closed) return resolve();
            if (call.write({ data })) resolve();
            else call.once('drain', () => resolve());
          }),
      };
      // Tied to this run: a restart meanwhile must end the stream, not continue it on the old file.
      const runPgid = c.pgid;
      const follow =
        logs && !previous
          ? { logs, isActive: () => c.state.state === 'running' && c.pgid === runPgid }
          : undefined;
      await streamLogs(c.dir, { ...options, previous }, sink, logs, follow);
      if (!closed) {
        closed = true;
        this.streams.delete(stream);
        call.end();
      }
    } catch (err) {
      if (closed) return;
      closed = true;
      this.streams.delete(stream);
      call.emit('error', this.fail('GetLogs', err));
    }
  }
}

/** Interactive RPCs when no handlers are given (unit tests): UNIMPLEMENTED, as grpc-js answers unknown methods. */
function unimplementedInteractive(): InteractiveHandlers {
  const details = (method: string): Partial<grpc.StatusObject> => ({
    code: 12,
    details: `${method} is not implemented by this runner`,
  });
  return {
    Exec: (call) => call.emit('error', details('Exec')),
    Attach: (call) => call.emit('error', details('Attach')),
    PortForward: (call) => call.emit('error', details('PortForward')),
    AddEphemeralContainer: (_call, callback) => callback(details('AddEphemeralContainer')),
  };
}
