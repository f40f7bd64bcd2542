/**
 * Pure figures of the fleet scenario: what each node served by one kubelet
 * process costs it, from process readings taken before and after.
 */

/** (after - before) / nodes; NaN without nodes or readings. */
export function perNode(before: number, after: number, nodes: number): number {
  return nodes > 0 && Number.isFinite(before) && Number.isFinite(after)
    ? (after - before) / nodes
    : Number.NaN;
}

/** A share of one core each node costs: CPU seconds used / window seconds / nodes (0.001 = 0.1 % of a core). */
export function cpuSharePerNode(cpuSeconds: number, windowSeconds: number, nodes: number): number {
  return nodes > 0 && windowSeconds > 0 ? cpuSeconds / windowSeconds / nodes : Number.NaN;
}

/** Requests each node sent per minute over a window, from the sum of every node's counter deltas. */
export function requestsPerNodePerMinute(requests: number, windowSeconds: number, nodes: number): number {
  return nodes > 0 && windowSeconds > 0 ? requests / nodes / (windowSeconds / 60) : Number.NaN;
}

/** Node names `<prefix>-0000`...: sortable and unique within a run. */
export function fleetNodeNames(prefix: string, count: number): string[] {
  const width = Math.max(4, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, '0')}`);
}

/** What the Lease reads saw of the renewals since the last take(). */
export interface LeaseLatenessSummary {
  /** Renewals seen with the one before them (so their lateness is known). */
  renewals: number;
  /**
   * The latest renewal against its due time (the previous renewTime plus the
   * renew interval), in ms; a renewal still outstanding at a read counts as at
   * least (read time - due time). NaN before anything was seen.
   */
  maxLateMs: number;
  /** Renewals whose predecessor may have gone unseen (reads further apart than the renew interval): not judged. */
  unjudged: number;
}

/**
 * How late Lease renewals come, from repeated reads of every Lease's
 * renewTime. A renewal is due the renew interval after the previous one
 * (the kubelet renews on a timer of that interval); its lateness is its
 * renewTime minus that due time. Reads less than the renew interval apart
 * see every renewal (renewals are at least the interval apart), so a new
 * renewTime follows the one last seen; after a longer gap it is not judged.
 * A Lease not renewed at all is caught too: at each read, a due time already
 * passed counts as lateness so far. Pure (times are given).
 */
export class LeaseLateness {
  private readonly last = new Map<string, { renewMs: number; readAtMs: number }>();
  private summary: LeaseLatenessSummary = { renewals: 0, maxLateMs: Number.NaN, unjudged: 0 };

  constructor(private readonly renewIntervalMs: number) {}

  /** One read, sent at `readAtMs` (the state it returns is at least that recent): renewTime (epoch ms) by Lease name. */
  observe(readAtMs: number, renewTimes: ReadonlyMap<string, number>): void {
    for (const [name, renewMs] of renewTimes) {
      const prev = this.last.get(name);
      this.last.set(name, { renewMs, readAtMs });
      if (prev && renewMs !== prev.renewMs) {
        if (readAtMs - prev.readAtMs >= this.renewIntervalMs) this.summary.unjudged++;
        else {
          this.summary.renewals++;
          this.late(renewMs - (prev.renewMs + this.renewIntervalMs));
        }
      }
      this.late(readAtMs - (renewMs + this.renewIntervalMs));
    }
  }

  /** The summary since the previous take (the Leases' last renewTimes are kept). */
  take(): LeaseLatenessSummary {
    const out = this.summary;
    this.summary = { renewals: 0, maxLateMs: Number.NaN, unjudged: 0 };
    return out;
  }

  private late(ms: number): void {
    const m = this.summary.maxLateMs;
    this.summary.maxLateMs = Number.isNaN(m) ? ms : Math.max(m, ms);
  }
}
