import type { V1PodStatus } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import { Backoff } from '../backoff.js';
import { ApiError, type KubeApi } from '../kube/kube-api.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { podStatusEqual } from './status-equality.js';

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

/** Timing of one status patch, for metrics and tests. */
export interface StatusWriteTiming {
  uid: string;
  /** When the runner event that caused it arrived (undefined when not caused by the runner). */
  eventAtMs: number | undefined;
  issuedAtMs: number;
  ackedAtMs: number;
}

interface Entry {
  ref: PodRef;
  pending: { status: V1PodStatus; eventAtMs: number | undefined } | undefined;
  inFlight: boolean;
  inFlightStatus: V1PodStatus | undefined;
  written: V1PodStatus | undefined;
  idle: Array<() => void>;
  retryTimer: NodeJS.Timeout | undefined;
  backoff: Backoff;
}

/**
 * Writes pod status to the `status` subresource with at most one patch in
 * flight per pod; while one is in flight, newer states replace each other and
 * only the latest is sent next. A state equal to what the API (or the last
 * patch) already shows is skipped. The patch carries metadata.uid so a
 * same-named replacement pod is never written.
 */
export class StatusWriter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly api: KubeApi,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly onWritten?: (timing: StatusWriteTiming) => void,
  ) {}

  /**
   * Requests `status` for the pod. Resolves once nothing is pending or in flight
   * for it (written, skipped or given up). Never rejects.
   */
  set(
    ref: PodRef,
    status: V1PodStatus,
    apiStatus: V1PodStatus | undefined,
    eventAtMs?: number,
  ): Promise<void> {
    let entry = this.entries.get(ref.uid);
    if (!entry) {
      entry = {
        ref,
        pending: undefined,
        inFlight: false,
        inFlightStatus: undefined,
        written: undefined,
        idle: [],
        retryTimer: undefined,
        backoff: new Backoff(200, 10_000),
      };
      this.entries.set(ref.uid, entry);
    }
    // Compare with what the API will show once the in-flight patch lands, or shows now.
    const reference = entry.inFlight ? entry.inFlightStatus : entry.written;
    const unchanged =
      podStatusEqual(reference, status) ||
      (reference === undefined && !entry.inFlight && podStatusEqual(apiStatus, status));
    if (unchanged) {
      entry.pending = undefined;
      this.settle(entry);
      return this.whenIdle(entry);
    }
    entry.pending = { status, eventAtMs: entry.pending?.eventAtMs ?? eventAtMs };
    if (!entry.inFlight && !entry.retryTimer) void this.flush(entry);
    return this.whenIdle(entry);
  }

  /**
   * Waits until no patch is pending or in flight for any pod, or the timeout
   * passes (shutdown drain). Resolves true when everything was written.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const all = Promise.all([...this.entries.values()].map((e) => this.whenIdle(e))).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return done;
  }

  /** Drops the pod's state (it is gone from the API). */
  forget(uid: string): void {
    const entry = this.entries.get(uid);
    if (!entry) return;
    clearTimeout(entry.retryTimer);
    entry.pending = undefined;
    this.entries.delete(uid);
    this.settle(entry);
  }

  private whenIdle(entry: Entry): Promise<void> {
    if (!entry.inFlight && !entry.pending) return Promise.resolve();
    return new Promise((resolve) => entry.idle.push(resolve));
  }

  private settle(entry: Entry): void {
    if (entry.inFlight || entry.pending) return;
    const waiters = entry.idle.splice(0);
    for (const w of waiters) w();
  }

  private async flush(entry: Entry): Promise<void> {
    const next = entry.pending;
    if (!next || entry.inFlight) return;
    entry.pending = undefined;
    entry.inFlight = true;
    entry.inFlightStatus = next.status;
    const issuedAtMs = this.now();
    const { namespace, name, uid } = entry.ref;
    try {
      await this.api.patchPodStatus(namespace, name, { metadata: { uid }, status: next.status });
      entry.written = next.status;
      entry.backoff.reset();
      const ackedAtMs = this.now();
      if (next.eventAtMs !== undefined) {
        this.metrics.podStatusSyncDurationSeconds.observe((ackedAtMs - next.eventAtMs) / 1000);
      }
      this.onWritten?.({ uid, eventAtMs: next.eventAtMs, issuedAtMs, ackedAtMs });
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 0;
      if (code === 404 || code === 409 || code === 422) {
        // Gone, replaced by a same-named pod, or refused: nothing to retry.
        this.logger[code === 422 ? 'warn' : 'debug'](
          { err, pod: `${namespace}/${name}` },
          'Dropped pod status update',
        );
      } else {
        entry.pending ??= next;
        const delayMs = entry.backoff.next();
        this.logger.warn(
          { err, pod: `${namespace}/${name}`, delayMs },
          'Failed to update pod status; retrying',
        );
        entry.inFlight = false;
        entry.inFlightStatus = undefined;
        entry.retryTimer = setTimeout(() => {
          entry.retryTimer = undefined;
          void this.flush(entry);
        }, delayMs);
        return;
      }
    }
    entry.inFlight = false;
    entry.inFlightStatus = undefined;
    if (entry.pending) void this.flush(entry);
    else this.settle(entry);
  }
}
