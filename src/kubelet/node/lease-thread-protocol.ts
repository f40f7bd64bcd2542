import type { KubeClientConfig } from '../kube/kubeconfig.js';

/*
 * The messages between the kubelet's main thread and its lease thread
 * (LeaseThread on the main side, LeaseHost in the worker). Plain data only:
 * they cross threads by structured clone.
 */

/** Main thread -> lease thread. */
export type ToLeaseThread =
  | {
      type: 'start';
      nodeName: string;
      leaseDurationSeconds: number;
      renewIntervalMs: number;
      nodeUid: string | undefined;
    }
  /** The Node's uid changed (registered, or registered again after it was deleted). */
  | { type: 'uid'; nodeName: string; nodeUid: string | undefined }
  | { type: 'stop'; nodeName: string }
  /** Delete the node's Lease; answered by a `deleted` with the same id. */
  | { type: 'delete'; nodeName: string; id: number };

/** One count of requests: node, verb, resource, HTTP code (or "<error>"), how many. */
export type RequestTally = [nodeName: string, verb: string, resource: string, code: string, count: number];

/** Lease thread -> main thread. */
export type FromLeaseThread =
  /** The requests sent since the last tally, for each node's metrics. */
  | { type: 'counts'; tallies: RequestTally[] }
  /** A `delete` is done; `error` set when it failed (its ApiError's code and message). */
  | { type: 'deleted'; id: number; error?: { code: number; message: string } };

/** What the lease thread is started with (its workerData). */
export interface LeaseThreadData {
  kube: KubeClientConfig;
  userAgent: string;
  /** Connections to the API server for the renewals (heartbeatConnections). */
  maxSockets: number;
  /** The kubelet's --v, for the thread's own logger. */
  verbosity: number;
  /**
   * One BigInt64 word: the epoch ms at which the main thread last ran its
   * alive tick (written with Atomics.store, read with Atomics.load).
   */
  alive: SharedArrayBuffer;
  /** How long the main thread may go without a tick before renewals stop (the lease duration). */
  stallLimitMs: number;
  /** Between tallies of the requests sent. */
  tallyIntervalMs: number;
}

/**
 * Whether the kubelet's main thread has gone too long without running: its
 * last alive tick is more than `stallLimitMs` ago. Renewals then stop, so
 * that the Lease keeps saying what a kubelet's Lease says: this kubelet
 * runs. A stall shorter than the lease duration is what the thread is there
 * to ride out. A tick from the future (clock stepped back) counts as
 * recent. Pure.
 */
export function mainThreadStalled(aliveAtMs: number, nowMs: number, stallLimitMs: number): boolean {
  return nowMs - aliveAtMs > stallLimitMs;
}
