import * as grpc from '@grpc/grpc-js';
import { loadRunnerProto } from '../../../../src/common/proto.js';
import type { ContainerState__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerState.js';
import type { ContainerStatus__Output } from '../../../../src/generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec__Output } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { RunnerHandlers } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import type { WatchPodsEvent } from '../../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import type { WatchPodsRequest__Output } from '../../../../src/generated/vkcmd/runner/v1/WatchPodsRequest.js';
import { WatchHeartbeat, watchHeartbeatIntervalMs } from '../../../../src/runner/server/watch-heartbeat.js';
import { fakeStats } from './fake-stats.js';
import { serveStatsStream } from '../../../../src/runner/server/stats-stream.js';
import { fromServiceError, serviceErrorOf, toServiceError } from '../../../../src/common/grpc-errors.js';
import { servePodCommands } from '../../../../src/runner/server/pod-commands.js';

type EventType = 'WATCH_EVENT_TYPE_ADDED' | 'WATCH_EVENT_TYPE_MODIFIED' | 'WATCH_EVENT_TYPE_DELETED';

/**
 * An in-memory Runner service on a unix socket. Containers start running at
 * once on CreatePod (unless `autoStart` is off); tests drive later changes
 * with setState/terminate. DeletePod terminates every container and sends
 * DELETED after `deleteDelayMs`. The watch keeps a history so a client can
 * resume; restart({ loseState }) simulates a runner that lost its pods.
 */
export class FakeRunner {
  readonly createCalls: PodSpec__Output[] = [];
  readonly deleteCalls: Array<{ uid: string; gracePeriodSeconds: number | undefined }> = [];
  readonly watchRequests: WatchPodsRequest__Output[] = [];
  /** CreatePod calls and DELETED events, in the order the runner saw them. */
  readonly events: Array<{ type: 'create' | 'deleted'; uid: string }> = [];
  /** When each event was sent, by pod uid (latency measurement). */
  readonly sentAtMs: Array<{ uid: string; revision: number; atMs: number }> = [];
  autoStart = true;
  /** Handlers that replace the defaults (e.g. real Exec, Attach and PortForward), set before start(). */
  overrides: Partial<RunnerHandlers> = {};
  /** Withhold SYNCED on new watches (the kubelet's link stays Syncing) until releaseSync(). */
  holdSync = false;
  private heldSyncs: Array<() => void> = [];
  /** Reported by GetNodeInfo, as a runner inside a Slurm allocation does. */
  slurm: { jobId: string; endMs: number } | undefined;
  deleteDelayMs = 20;
  private pods = new Map<string, Pod__Output>();
  private history: Array<{ type: EventType; revision: number; pod: Pod__Output }> = [];
  private revision = 0;
  private epoch = `epoch-${Math.random().toString(36).slice(2, 8)}`;
  private server: grpc.Server | undefined;
  private streams = new Set<grpc.ServerWritableStream<WatchPodsRequest__Output, WatchPodsEvent>>();
  private nextPgid = 4000;
  private readonly bootMs = Date.now() - 3_600_000;

  constructor(readonly socketPath: string) {}

  get address(): string {
    return `unix://${this.socketPath}`;
  }

  async start(): Promise<void> {
    const { grpcType } = loadRunnerProto();
    const server = new grpc.Server();
    server.addService(grpcType.vkcmd.runner.v1.Runner.service, {
      ...this.handlers(),
      ...this.overrides,
    } as RunnerHandlers);
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(this.address, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    this.server = server;
  }

  /** Simulates the runner going away: every stream and connection is cut. */
  async stop(): Promise<void> {
    for (const s of this.streams) s.destroy(new Error('runner stopping'));
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.forceShutdown();
    }
  }

  /** Comes back; with loseState the pods are gone and the epoch is new (a host reboot). */
  async restart(options: { loseState?: boolean } = {}): Promise<void> {
    await this.stop();
    if (options.loseState) {
      this.pods.clear();
      this.history = [];
      this.epoch = `epoch-${Math.random().toString(36).slice(2, 8)}`;
    }
    await this.start();
  }

  /** Sends the withheld SYNCED events and stops holding. */
  releaseSync(): void {
    this.holdSync = false;
    for (const send of this.heldSyncs.splice(0)) send();
  }

  /** Whether a watch is open and waiting for its SYNCED. */
  syncHeld(): boolean {
    return this.heldSyncs.length > 0;
  }

  pod(uid: string): Pod__Output | undefined {
    return this.pods.get(uid);
  }

  createCount(uid: string): number {
    return this.createCalls.filter((c) => c.uid === uid).length;
  }

  /** Sets one container's state and emits MODIFIED. */
  setState(
    uid: string,
    container: string,
    state: ContainerState__Output,
    extra: Partial<ContainerStatus__Output> = {},
  ): void {
    const pod = this.pods.get(uid);
    if (!pod) throw new Error(`no pod ${uid}`);
    const statuses = [...pod.initContainerStatuses, ...pod.containerStatuses];
    const status = statuses.find((s) => s.name === container);
    if (!status) throw new Error(`no container ${container}`);
    Object.assign(status, extra, { state });
    this.emit('WATCH_EVENT_TYPE_MODIFIED', pod);
  }

  terminate(uid: string, container: string, exitCode: number, reason: string, message = ''): void {
    const pod = this.pods.get(uid);
    const status = pod?.containerStatuses.find((s) => s.name === container);
    const startedAtMs = status?.state?.running?.startedAtMs ?? Date.now() - 1000;
    this.setState(uid, container, {
      state: 'terminated',
      terminated: { exitCode, signal: 0, reason, message, startedAtMs, finishedAtMs: Date.now() },
    });
  }

  private emit(type: EventType, pod: Pod__Output): void {
    this.revision++;
    pod.revision = this.revision;
    const copy = structuredClone(pod);
    this.history.push({ type, revision: this.revision, pod: copy });
    const atMs = Date.now();
    this.sentAtMs.push({ uid: pod.uid, revision: this.revision, atMs });
    for (const s of this.streams) s.write({ type, revision: this.revision, epoch: this.epoch, pod: copy });
  }

  private runningState(): ContainerState__Output {
    return { state: 'running', running: { startedAtMs: Date.now() } };
  }

  /** The Runner service over this runner's state, for a server of the caller's (dial-out benchmarks). */
  handlers(): RunnerHandlers {
    const handlers: RunnerHandlers = {
      GetNodeInfo: (_call, cb) =>
        cb(null, {
          hostname: 'fake-host',
          cpus: 8,
          memoryBytes: 16 * 1024 ** 3,
          operatingSystem: 'linux',
          architecture: 'arm64',
          kernelVersion: '6.1.0-fake',
          osImage: 'Fake Linux 1',
          bootId: 'boot-1',
          machineId: 'machine-1',
          runnerVersion: '0.0.0-fake',
          ephemeralStorageBytes: 100 * 1024 ** 3,
          rootDir: '/tmp/fake',
          ...(this.slurm ? { slurmJobId: this.slurm.jobId, slurmJobEndMs: this.slurm.endMs } : {}),
        }),
      Exec: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'fake runner' }),
      Attach: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'fake runner' }),
      PortForward: (call) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'fake runner' }),
      AddEphemeralContainer: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'fake runner' }),
      GetProbeMetrics: (_call, cb) => cb(null, { counters: [] }),
      CreatePod: (call, cb) => {
        const spec = call.request.pod;
        if (!spec) return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'pod is required' });
        this.createCalls.push(spec);
        this.events.push({ type: 'create', uid: spec.uid });
        const existing = this.pods.get(spec.uid);
        if (existing) return cb(null, existing);
        const toStatus = (c: { name: string; image: string }, run: boolean): ContainerStatus__Output => ({
          name: c.name,
          image: c.image,
          restartCount: 0,
          pgid: run ? this.nextPgid++ : 0,
          state: run
            ? this.runningState()
            : { state: 'waiting', waiting: { reason: 'ContainerCreating', message: '' } },
          lastState: null,
          probeReports: [],
          stopReason: '',
          postStartFailed: false,
          preStopFailed: false,
          securityNotes: [],
        });
        const pod: Pod__Output = {
          uid: spec.uid,
          namespace: spec.namespace,
          name: spec.name,
          initContainerStatuses: spec.initContainers.map((c) => toStatus(c, false)),
          containerStatuses: spec.containers.map((c) => toStatus(c, this.autoStart)),
          createdAtMs: Date.now(),
          deleting: false,
          revision: 0,
          restartPolicy: spec.restartPolicy,
          securityNotes: [],
          ephemeralContainerStatuses: [],
        };
        this.pods.set(pod.uid, pod);
        this.emit('WATCH_EVENT_TYPE_ADDED', pod);
        cb(null, pod);
      },
      DeletePod: (call, cb) => {
        const { uid, gracePeriodSeconds } = call.request;
        this.deleteCalls.push({ uid, gracePeriodSeconds });
        const pod = this.pods.get(uid);
        if (!pod) return cb(null, { found: false });
        if (!pod.deleting) {
          pod.deleting = true;
          this.emit('WATCH_EVENT_TYPE_MODIFIED', pod);
          setTimeout(() => {
            if (this.pods.get(uid) !== pod) return;
            for (const s of pod.containerStatuses) {
              if (s.state?.running) {
                s.state = {
                  state: 'terminated',
                  terminated: {
                    exitCode: 143,
                    signal: 15,
                    reason: 'Error',
                    message: '',
                    startedAtMs: s.state.running.startedAtMs,
                    finishedAtMs: Date.now(),
                  },
                };
              }
            }
            this.pods.delete(uid);
            this.events.push({ type: 'deleted', uid });
            this.emit('WATCH_EVENT_TYPE_DELETED', pod);
          }, this.deleteDelayMs);
        }
        cb(null, { found: true, pod });
      },
      GetPod: (call, cb) => {
        const pod = this.pods.get(call.request.uid);
        if (!pod) return cb({ code: grpc.status.NOT_FOUND, details: 'no such pod' });
        cb(null, pod);
      },
      ListPods: (_call, cb) =>
        cb(null, { pods: [...this.pods.values()], revision: this.revision, epoch: this.epoch }),
      WatchPods: (call) => {
        this.watchRequests.push({ ...call.request });
        const { sinceRevision, epoch } = call.request;
        const oldest = this.history[0]?.revision ?? this.revision + 1;
        const canResume =
          epoch === this.epoch && sinceRevision >= oldest - 1 && sinceRevision <= this.revision;
        if (canResume) {
          for (const h of this.history) {
            if (h.revision > sinceRevision)
              call.write({ type: h.type, revision: h.revision, epoch: this.epoch, pod: h.pod });
          }
        } else {
          call.write({ type: 'WATCH_EVENT_TYPE_RESET', revision: this.revision, epoch: this.epoch });
          for (const pod of this.pods.values()) {
            call.write({ type: 'WATCH_EVENT_TYPE_SNAPSHOT', revision: pod.revision, epoch: this.epoch, pod });
          }
        }
        const synced = () =>
          call.write({ type: 'WATCH_EVENT_TYPE_SYNCED', revision: this.revision, epoch: this.epoch });
        if (this.holdSync) this.heldSyncs.push(synced);
        else synced();
        this.streams.add(call);
        // Heartbeats as the real runner sends them when asked, on every quiet interval (busy or not: a fake).
        const heartbeatMs = watchHeartbeatIntervalMs(call.request.heartbeatIntervalMs);
        const heartbeat =
          heartbeatMs === undefined
            ? undefined
            : new WatchHeartbeat(heartbeatMs, () =>
                call.write({ type: 'WATCH_EVENT_TYPE_HEARTBEAT', revision: this.revision }),
              );
        heartbeat?.start();
        call.on('cancelled', () => {
          heartbeat?.stop();
          this.streams.delete(call);
        });
        call.on('close', () => {
          heartbeat?.stop();
          this.streams.delete(call);
        });
      },
      GetLogs: (call) =>
        call.destroy({
          name: 'Error',
          message: 'unimplemented',
          code: grpc.status.UNIMPLEMENTED,
        } as grpc.ServiceError),
      // Cheap figures, so the kubelet's metrics paths (/metrics/resource, /stats/summary) run as with a runner.
      GetStats: (_call, cb) => cb(null, fakeStats(this.pods.values(), Date.now(), this.bootMs)),
      // As the runner serves it, so a fleet of fakes costs the kubelet what real runners do.
      StreamStats: (call) =>
        serveStatsStream(call, {
          collect: () => fakeStats(this.pods.values(), Date.now(), this.bootMs),
          track: () => () => undefined,
          fail: (_method, err) => toServiceError(err),
        }),
      GetRunnerHealth: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'unimplemented' }),
      // As the runner serves it: each command through the unary handler above.
      PodCommands: (call) =>
        servePodCommands(call, {
          createPod: (request) => viaUnary(handlers.CreatePod, request),
          deletePod: (request) => viaUnary(handlers.DeletePod, request),
          track: () => () => undefined,
          fail: (_method, err) => toServiceError(err),
        }),
    };
    return handlers;
  }
}

/** A unary handler's answer to `request`; its failure as the shared kind its status maps to. */
function viaUnary<Req, Res>(handler: grpc.handleUnaryCall<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    handler({ request } as grpc.ServerUnaryCall<Req, Res>, (err, value) => {
      if (!err) resolve(value as Res);
      else reject(fromServiceError(serviceErrorOf(err.code ?? grpc.status.INTERNAL, err.details ?? '')));
    }),
  );
}
