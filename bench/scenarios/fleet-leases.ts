import { CoordinationV1Api } from '@kubernetes/client-node';
import type { ClusterContext } from '../bench-context.js';
import { LeaseLateness, type LeaseLatenessSummary } from '../fleet-figures.js';

/** The fleet kubelet's --lease-renew-interval (its default): when each renewal is due after the previous. */
export const LEASE_RENEW_INTERVAL_MS = 10_000;
/** Reads of the Leases: well under the renew interval, so every renewal is seen with its predecessor. */
const READ_EVERY_MS = 2_000;

/**
 * Reads the fleet's node Leases (kube-node-lease, names starting with
 * `prefix`) every READ_EVERY_MS from the API server (a quorum read: no
 * resourceVersion, so what it returns is at least as recent as the request)
 * and judges each renewal's lateness (LeaseLateness). `take()` returns the
 * summary since the previous take; `stop()` ends the reads. A failed read is
 * counted and skipped.
 */
export class FleetLeaseReader {
  private readonly lateness = new LeaseLateness(LEASE_RENEW_INTERVAL_MS);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readFailures = 0;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly prefix: string,
  ) {}

  start(): void {
    void this.read();
  }

  take(): LeaseLatenessSummary {
    return this.lateness.take();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async read(): Promise<void> {
    if (this.stopped) return;
    const readAtMs = Date.now();
    try {
      const list = await this.ctx.kc
        .makeApiClient(CoordinationV1Api)
        .listNamespacedLease({ namespace: 'kube-node-lease' });
      const renewTimes = new Map<string, number>();
      for (const lease of list.items) {
        const name = lease.metadata?.name ?? '';
        const renew = lease.spec?.renewTime;
        if (name.startsWith(this.prefix) && renew !== undefined)
          renewTimes.set(name, new Date(renew).getTime());
      }
      if (!this.stopped) this.lateness.observe(readAtMs, renewTimes);
    } catch {
      this.readFailures++;
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.read(), READ_EVERY_MS);
  }
}
