import type { RequestCounter } from '../kube/kube-api-client.js';

/** What a node's Lease keeper needs to know about its node. */
export interface NodeLeaseOptions {
  nodeName: string;
  leaseDurationSeconds: number;
  renewIntervalMs: number;
  /** The Node's uid once registered, for the owner reference; read again before each renewal. */
  nodeUid: () => string | undefined;
}

/**
 * Keeps one node's Lease in kube-node-lease renewed: the node heartbeat the
 * node lifecycle controller reads. Implementations: LeaseController (on the
 * caller's event loop) and LeaseThread's handles (on a worker thread of
 * their own, so a busy event loop does not make renewals late).
 */
export interface NodeLease {
  /** Starts renewing (creating the Lease when missing). Never throws; failures are logged and retried. Idempotent. */
  start(): void;
  /** Stops renewing; a renewal in flight may still land. Idempotent. */
  stop(): void;
  /**
   * Deletes the Lease (a node that leaves); call after stop(). Resolves once
   * the API server answered; rejects with the API error (a Lease already gone
   * is not an error).
   */
  deleteLease(): Promise<void>;
}

/** Builds a node's Lease keeper; its requests are counted in `counter` (the node's metrics). */
export type NodeLeaseFactory = (options: NodeLeaseOptions, counter: RequestCounter) => NodeLease;
