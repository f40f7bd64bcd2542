import type { WireLease } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import { microTime } from '../kube-time.js';
import type { KubeApi } from '../kube/kube-api.js';
import { kubeErrorKind } from '../kube/kube-errors.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface LeaseControllerOptions {
  nodeName: string;
  leaseDurationSeconds: number;
  renewIntervalMs: number;
  /** The Node's uid once registered, for the owner reference. */
  nodeUid: () => string | undefined;
  now?: () => number;
}

/**
 * Keeps the node's Lease in kube-node-lease renewed (the node heartbeat).
 * Creates it when missing, adds the owner reference to the Node once known,
 * and on a conflict re-reads and retries. Failures retry after a short delay.
 */
export class LeaseController {
  private lease: WireLease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenewMs = 0;
  private readonly now: () => number;

  constructor(
    private readonly api: KubeApi,
    private readonly options: LeaseControllerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
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

  /** Time of the last successful renewal (0 before the first). */
  lastRenewalMs(): number {
    return this.lastRenewMs;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    let delayMs = this.options.renewIntervalMs;
    try {
      await this.renew();
    } catch (err) {
      this.logger.warn({ err }, 'Failed to renew node lease');
      delayMs = Math.min(1000, this.options.renewIntervalMs);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), delayMs);
  }

  /** One renewal: create, or replace with a fresh renewTime. Throws on failure. */
  async renew(): Promise<void> {
    const { nodeName } = this.options;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.lease ??= await this.api.getLease(NODE_LEASE_NAMESPACE, nodeName);
      const desired = this.desired(this.lease);
      try {
        this.lease = this.lease ? await this.api.replaceLease(desired) : await this.api.createLease(desired);
        this.lastRenewMs = this.now();
        return;
      } catch (err) {
        if (kubeErrorKind(err) !== 'conflict') throw err;
        // Stale resourceVersion, or created meanwhile: read again.
        this.lease = undefined;
      }
    }
    throw new Error('node lease kept conflicting');
  }

  private desired(existing: WireLease | undefined): WireLease {
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
        renewTime: microTime(this.now()),
      },
    };
  }
}
