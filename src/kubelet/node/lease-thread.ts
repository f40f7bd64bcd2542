import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger.js';
import { ApiError } from '../kube/kube-api.js';
import type { KubeClientConfig } from '../kube/kubeconfig.js';
import type { RequestCounter } from '../kube/kube-api-client.js';
import type { NodeLease, NodeLeaseOptions } from './node-lease.js';
import type { FromLeaseThread, LeaseThreadData, ToLeaseThread } from './lease-thread-protocol.js';

export interface LeaseThreadOptions {
  kube: KubeClientConfig;
  userAgent: string;
  /** Connections to the API server for the renewals (heartbeatConnections). */
  maxSockets: number;
  verbosity: number;
  /** How long the main thread may go without running before renewals stop: the lease duration. */
  stallLimitMs: number;
  logger: Logger;
  /** Between the main thread's alive ticks (default ALIVE_TICK_MS). */
  aliveIntervalMs?: number;
  /** Between the thread's tallies of the requests it sent (default TALLY_INTERVAL_MS). */
  tallyIntervalMs?: number;
  /** Before a thread that exited is started again (default 1 s). */
  restartDelayMs?: number;
  /** The thread's script; lease-worker.js beside this file by default. */
  workerUrl?: URL;
}

/**
 * Between the main thread's alive ticks, which also carry the Nodes' changed
 * uids: fine enough against a lease duration of tens of seconds. Each tick,
 * and each tally, wakes the main thread; at 100 nodes neither 1 s nor 5 s
 * showed in the CPU per renewal (bench/decisions/lease-thread.ts).
 */
export const ALIVE_TICK_MS = 5000;
/** Between the thread's tallies of the requests it sent (each a message to the main thread). */
export const TALLY_INTERVAL_MS = 5000;

/** One node's handle: NodeLease over the thread's messages. */
class ThreadLease implements NodeLease {
  running = false;
  /** The uid last sent to the thread. */
  sentUid: string | undefined;

  constructor(
    private readonly thread: LeaseThread,
    readonly options: NodeLeaseOptions,
    readonly counter: RequestCounter,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.thread.send(this.startMessage());
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.thread.send({ type: 'stop', nodeName: this.options.nodeName });
  }

  deleteLease(): Promise<void> {
    return this.thread.deleteLease(this);
  }

  startMessage(): ToLeaseThread {
    this.sentUid = this.options.nodeUid();
    const { nodeName, leaseDurationSeconds, renewIntervalMs } = this.options;
    return { type: 'start', nodeName, leaseDurationSeconds, renewIntervalMs, nodeUid: this.sentUid };
  }
}

/**
 * The nodes' Lease renewals on a worker thread of their own, with API
 * connections of their own (a kubelet's heartbeat client, on its own event
 * loop). In a fleet the main thread can be busy for seconds (a thousand
 * pods created at once); renewals timed on it were then late by as long
 * (docs/decisions/0016-lease-thread.md has the figures). The thread renews
 * only while the main thread runs: a tick every 5 s stamps a shared word,
 * and a main thread silent for the lease duration stops the renewals, so a
 * Lease still means the kubelet runs.
 *
 * lease() hands out NodeLease handles; start() spawns the thread; a thread
 * that exits is logged and started again, with every running handle's
 * Lease. close() ends it. Single event loop (the main thread's).
 */
export class LeaseThread {
  private worker: Worker | undefined;
  private readonly alive = new SharedArrayBuffer(8);
  private readonly aliveWord = new BigInt64Array(this.alive);
  private readonly handles = new Map<string, ThreadLease>();
  private readonly deletes = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  /** Messages sent while no thread runs (between an exit and its restart), in order. */
  private queued: ToLeaseThread[] = [];
  private nextDeleteId = 1;
  private tick: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LeaseThreadOptions) {}

  /** Spawns the thread and starts the alive ticks. Idempotent. */
  start(): void {
    if (this.tick || this.closed) return;
    this.aliveTick();
    this.tick = setInterval(() => this.aliveTick(), this.options.aliveIntervalMs ?? ALIVE_TICK_MS);
    this.tick.unref();
    this.spawn();
  }

  /** A node's Lease on the thread; its requests are counted in `counter`. A later handle for a name replaces the earlier. */
  lease(options: NodeLeaseOptions, counter: RequestCounter): NodeLease {
    const handle = new ThreadLease(this, options, counter);
    this.handles.set(options.nodeName, handle);
    return handle;
  }

  /** Ends the thread (renewals in flight are abandoned); pending deletions reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tick);
    this.failDeletes('the lease thread was closed');
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  /** @internal Sends to the thread, or queues until it runs again. */
  send(message: ToLeaseThread): void {
    if (this.worker) this.worker.postMessage(message);
    else if (!this.closed) this.queued.push(message);
  }

  /** @internal Deletes the handle's Lease; a stopped handle is then forgotten. */
  deleteLease(handle: ThreadLease): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the lease thread was closed'));
    const nodeName = handle.options.nodeName;
    const id = this.nextDeleteId++;
    const done = new Promise<void>((resolve, reject) => {
      this.deletes.set(id, { resolve, reject });
      this.send({ type: 'delete', nodeName, id });
    });
    const forget = (): void => {
      if (!handle.running && this.handles.get(nodeName) === handle) this.handles.delete(nodeName);
    };
    done.then(forget, forget);
    return done;
  }

  private spawn(): void {
    const data: LeaseThreadData = {
      kube: this.options.kube,
      userAgent: this.options.userAgent,
      maxSockets: this.options.maxSockets,
      verbosity: this.options.verbosity,
      alive: this.alive,
      stallLimitMs: this.options.stallLimitMs,
      tallyIntervalMs: this.options.tallyIntervalMs ?? TALLY_INTERVAL_MS,
    };
    const worker = new Worker(this.options.workerUrl ?? new URL('./lease-worker.js', import.meta.url), {
      workerData: data,
    });
    this.worker = worker;
    worker.on('message', (message: FromLeaseThread) => this.received(message));
    worker.on('error', (err) => this.options.logger.error({ err }, 'Lease thread failed'));
    worker.on('exit', (code) => this.exited(worker, code));
    for (const handle of this.handles.values()) if (handle.running) worker.postMessage(handle.startMessage());
    const queued = this.queued;
    this.queued = [];
    for (const message of queued) worker.postMessage(message);
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failDeletes('the lease thread exited');
    if (this.closed) return;
    const restartDelayMs = this.options.restartDelayMs ?? 1000;
    this.options.logger.error({ exitCode: code, restartDelayMs }, 'Lease thread exited; starting it again');
    setTimeout(() => {
      if (!this.closed && !this.worker) this.spawn();
    }, restartDelayMs);
  }

  private received(message: FromLeaseThread): void {
    if (message.type === 'counts') {
      for (const [nodeName, verb, resource, code, n] of message.tallies) {
        this.handles.get(nodeName)?.counter.apiserverRequestsTotal.inc({ verb, resource, code }, n);
      }
      return;
    }
    const pending = this.deletes.get(message.id);
    this.deletes.delete(message.id);
    if (!pending) return;
    if (message.error) pending.reject(new ApiError(message.error.code, message.error.message));
    else pending.resolve();
  }

  /** Stamps the shared word (the thread renews while it is recent) and sends the uids that changed. */
  private aliveTick(): void {
    Atomics.store(this.aliveWord, 0, BigInt(Date.now()));
    for (const handle of this.handles.values()) {
      if (!handle.running) continue;
      const uid = handle.options.nodeUid();
      if (uid === handle.sentUid) continue;
      handle.sentUid = uid;
      this.send({ type: 'uid', nodeName: handle.options.nodeName, nodeUid: uid });
    }
  }

  private failDeletes(reason: string): void {
    for (const pending of this.deletes.values()) pending.reject(new Error(reason));
    this.deletes.clear();
  }
}
