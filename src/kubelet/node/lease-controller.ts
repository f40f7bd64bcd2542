import type { WireLease } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import { microTime } from '../kube-time.js';
import type { KubeApi } from '../kube/kube-api.js';
import { kubeErrorKind } from '../kube/kube-errors.js';
import type { NodeLease, NodeLeaseOptions } from './node-lease.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface LeaseControllerOptions extends NodeLeaseOptions {
  now?: () => number;
  /**
   * Whether a due renewal may be sent; when not, it is skipped and asked
   * again a second later (the lease thread renews only while the kubelet's
   * main thread runs). Always by default.
   */
  mayRenew?: () => boolean;
  /** Runs `fn` after `delayMs` and returns what cancels it; setTimeout by default (tests record the delays). */
  schedule?: (fn: () => void, delayMs: number) => () => void;
}

function scheduleWithTimer(fn: () => void, delayMs: number): () => void {
  const timer = setTimeout(fn, delayMs);
  return () => clearTimeout(timer);
}

/**
 * How long until the next renewal, given when the last successful one was
 * stamped (its renewTime): the renew interval after that stamp, not after
 * the request came back. A renewal that waited for a connection or a slow
 * API server then does not push every later one back by as long, so
 * renewTimes stay one interval apart. Waiting the full interval after each
 * answer drifts by every request's duration (bench/README.md, "Lease
 * renewals at 1,000 nodes", gives the runs with their load). Between 0 (the
 * last renewal took the whole interval) and the interval. Pure.
 */
export function nextRenewalDelayMs(stampedAtMs: number, nowMs: number, renewIntervalMs: number): number {
  return Math.max(0, Math.min(renewIntervalMs, stampedAtMs + renewIntervalMs - nowMs));
}

/**
 * Keeps the node's Lease in kube-node-lease renewed (the node heartbeat).
 * Creates it when missing, adds the owner reference to the Node once known,
 * and on a conflict re-reads and retries. Renewals are one interval apart
 * (nextRenewalDelayMs); failures retry after a short delay.
 */
export class LeaseController implements NodeLease {
  private lease: WireLease | undefined;
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  /** Counts start()s: a loop of an earlier one stops at its next step. */
  private generation = 0;
  /** The renewTime of the last successful renewal (epoch ms; 0 before the first). */
  private lastStampMs = 0;
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, delayMs: number) => () => void;

  constructor(
    private readonly api: KubeApi,
    private readonly options: LeaseControllerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? scheduleWithTimer;
  }

  /** Idempotent; after stop() it starts again, and a renewal of the old run that is in flight ends it. */
  start(): void {
    if (!this.stopped && this.generation > 0) return;
    this.stopped = false;
    void this.loop(++this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Deletes the Lease (a clean exit with --delete-node-on-exit); call after stop(). */
  async deleteLease(): Promise<void> {
    const deleted = await this.api.deleteLease(NODE_LEASE_NAMESPACE, this.options.nodeName);
    this.lease = undefined;
    this.logger.info(
      { lease: `${NODE_LEASE_NAMESPACE}/${this.options.nodeName}`, deleted },
      'Deleted node lease',
    );
  }

  /** The renewTime of the last successful renewal (0 before the first). */
  lastRenewalMs(): number {
    return this.lastStampMs;
  }

  private async loop(generation: number): Promise<void> {
    if (this.stopped || generation !== this.generation) return;
    const delayMs = this.options.mayRenew?.() === false ? this.retryDelayMs() : await this.renewOnce();
    if (!this.stopped && generation === this.generation)
      this.cancelTimer = this.schedule(() => void this.loop(generation), delayMs);
  }

  /** One renewal; resolves with the delay until the next attempt. */
  private async renewOnce(): Promise<number> {
    try {
      await this.renew();
      return nextRenewalDelayMs(this.lastStampMs, this.now(), this.options.renewIntervalMs);
    } catch (err) {
      this.logger.warn({ err }, 'Failed to renew node lease');
      return this.retryDelayMs();
    }
  }

  /** After a failed or skipped renewal: a second, or the interval when that is shorter. */
  private retryDelayMs(): number {
    return Math.min(1000, this.options.renewIntervalMs);
  }

  /** One renewal: create, or replace with a fresh renewTime. Throws on failure. */
  async renew(): Promise<void> {
    const { nodeName } = this.options;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.lease ??= await this.api.getLease(NODE_LEASE_NAMESPACE, nodeName);
      const stampMs = this.now();
      const desired = this.desired(this.lease, stampMs);
      try {
        this.lease = this.lease ? await this.api.replaceLease(desired) : await this.api.createLease(desired);
        this.lastStampMs = stampMs;
        return;
      } catch (err) {
        if (kubeErrorKind(err) !== 'conflict') throw err;
        // Stale resourceVersion, or created meanwhile: read again.
        this.lease = undefined;
      }
    }
    throw new Error('node lease kept conflicting');
  }

  private desired(existing: WireLease | undefined, renewMs: number): WireLease {
    const uid = this.options.nodeUid();
    const ownerReferences =
      uid !== undefined
        ? [{ apiVersion: 'v1', kind: 'Node', name: this.options.nodeName, uid }]
        : existing?.metadata?.ownerReferences;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...(existing?.metadata ?? {}),
        name: this.options.nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ...(ownerReferences ? { ownerReferences } : {}),
      },
      spec: {
        // Only integer and string fields are copied: MicroTime fields must keep six fractional digits.
        ...(existing?.spec?.leaseTransitions !== undefined
          ? { leaseTransitions: existing.spec.leaseTransitions }
          : {}),
        holderIdentity: this.options.nodeName,
        leaseDurationSeconds: this.options.leaseDurationSeconds,
        renewTime: microTime(renewMs),
      },
    };
  }
}
