import type { WirePod, WirePodStatus } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import { Backoff } from '../../common/backoff.js';
import type { KubeApi } from '../kube/kube-api.js';
import { kubeErrorKind } from '../kube/kube-errors.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import { podStatusMatcher } from './status-equality.js';
import { statusWriteSpacingMs } from './status-write-spacing.js';

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

/** The pod status the API server shows (the informer's copy) and the resourceVersion it was read at. */
export interface ObservedStatus {
  status: WirePodStatus | undefined;
  resourceVersion: string | undefined;
}

/** The status of an API pod as observed (informer copy). */
export function observedStatus(pod: WirePod): ObservedStatus {
  return { status: pod.status, resourceVersion: pod.metadata?.resourceVersion };
}

/** Timing of one status patch, for metrics and tests. */
export interface StatusWriteTiming {
  uid: string;
  /** When the runner event that caused it arrived (undefined when not caused by the runner). */
  eventAtMs: number | undefined;
  issuedAtMs: number;
  ackedAtMs: number;
}

export interface StatusWriterOptions {
  now?: () => number;
  onWritten?: (timing: StatusWriteTiming) => void;
  /** First delay after a failed patch (doubling to 10 s). */
  retryInitialMs?: number;
  /** The least time after a write of `status` before the pod's next write (default statusWriteSpacingMs). */
  spacingMs?: (status: WirePodStatus) => number;
}

interface Entry {
  ref: PodRef;
  pending: { status: WirePodStatus; eventAtMs: number | undefined } | undefined;
  inFlight: boolean;
  inFlightStatus: WirePodStatus | undefined;
  written: WirePodStatus | undefined;
  /** resourceVersion the API server gave our last patch. */
  writtenRv: string | undefined;
  /** Writes of an unchanged status made because the API showed something else. */
  reconciles: number;
  nextReconcileMs: number;
  idle: Array<() => void>;
  /** A retry's back-off, or the spacing after a large pod's write, before the next flush. */
  retryTimer: NodeJS.Timeout | undefined;
  backoff: Backoff;
  /** No write before this time (spacing after the last write; 0: none). */
  notBeforeMs: number;
}

// Two immediate reconciles, then at most one per doubling interval: a field the
// API server keeps rewriting cannot turn into a write loop.
const IMMEDIATE_RECONCILES = 2;
const RECONCILE_BACKOFF_MS = 1000;
const RECONCILE_BACKOFF_MAX_MS = 300_000;

/** a is an older resourceVersion than b (etcd revisions are integers; anything else is not ordered). */
function olderThan(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

/**
 * Writes pod status to the `status` subresource with at most one patch in
 * flight per pod; while one is in flight, newer states replace each other and
 * only the latest is sent next. A state equal to what the API shows is
 * skipped, where "what the API shows" is the observed status unless that is
 * older than our last patch (then our last patch). So when another writer
 * changes fields the kubelet owns (the node lifecycle controller setting
 * Ready=False), the next observation writes them back, as the kubelet's status
 * manager does with needsReconcile; such re-writes of an unchanged status back
 * off. The patch carries metadata.uid so a same-named replacement pod is never
 * written, and clears a reason or message the status does not set (the
 * kubelet owns them). A large pod's writes are spaced (statusWriteSpacingMs):
 * the states in between replace each other as they do while a patch is in
 * flight.
 */
export class StatusWriter {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly api: KubeApi,
    private readonly metrics: KubeletMetrics,
    private readonly logger: Logger,
    private readonly options: StatusWriterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Requests `status` for the pod. Resolves once nothing is pending or in flight
   * for it (written, skipped or given up). Never rejects.
   */
  set(
    ref: PodRef,
    status: WirePodStatus,
    observed: ObservedStatus | undefined,
    eventAtMs?: number,
  ): Promise<void> {
    const entry = this.entry(ref);
    if (this.upToDate(entry, status, observed)) {
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

  private entry(ref: PodRef): Entry {
    let entry = this.entries.get(ref.uid);
    if (!entry) {
      entry = {
        ref,
        pending: undefined,
        inFlight: false,
        inFlightStatus: undefined,
        written: undefined,
        writtenRv: undefined,
        reconciles: 0,
        nextReconcileMs: 0,
        idle: [],
        retryTimer: undefined,
        backoff: new Backoff(this.options.retryInitialMs ?? 200, 10_000),
        notBeforeMs: 0,
      };
      this.entries.set(ref.uid, entry);
    }
    return entry;
  }

  /** Whether writing `status` now would change nothing (or must wait: a reconcile backing off). */
  private upToDate(entry: Entry, status: WirePodStatus, observed: ObservedStatus | undefined): boolean {
    // The API will show the in-flight patch once it lands; its echo is compared then.
    const matches = podStatusMatcher(status);
    if (entry.inFlight) return matches(entry.inFlightStatus);
    const apiCurrent =
      observed !== undefined &&
      (entry.written === undefined || !olderThan(observed.resourceVersion, entry.writtenRv));
    const reference = apiCurrent ? observed.status : entry.written;
    if (matches(reference)) {
      if (apiCurrent) entry.reconciles = 0;
      return true;
    }
    if (!apiCurrent || !matches(entry.written)) {
      entry.reconciles = 0;
      return false;
    }
    // Unchanged since our last patch, yet the API shows something else: another writer changed it.
    const nowMs = this.now();
    if (entry.reconciles >= IMMEDIATE_RECONCILES && nowMs < entry.nextReconcileMs) return true;
    const { namespace, name } = entry.ref;
    const log = entry.reconciles === IMMEDIATE_RECONCILES ? 'warn' : 'info';
    this.logger[log](
      { pod: `${namespace}/${name}`, attempt: entry.reconciles + 1 },
      "Pod status in the API differs from the kubelet's; writing it again",
    );
    entry.reconciles++;
    if (entry.reconciles >= IMMEDIATE_RECONCILES) {
      const delay = RECONCILE_BACKOFF_MS * 2 ** (entry.reconciles - IMMEDIATE_RECONCILES);
      entry.nextReconcileMs = nowMs + Math.min(RECONCILE_BACKOFF_MAX_MS, delay);
    }
    return false;
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
    const waitMs = entry.notBeforeMs - this.now();
    if (waitMs > 0) {
      entry.retryTimer = setTimeout(() => {
        entry.retryTimer = undefined;
        void this.flush(entry);
      }, waitMs);
      return;
    }
    entry.pending = undefined;
    entry.inFlight = true;
    entry.inFlightStatus = next.status;
    const issuedAtMs = this.now();
    const { namespace, name, uid } = entry.ref;
    const status = {
      ...next.status,
      reason: next.status.reason ?? null,
      message: next.status.message ?? null,
    };
    try {
      const pod = await this.api.patchPodStatus(namespace, name, { metadata: { uid }, status });
      entry.written = next.status;
      entry.writtenRv = pod.metadata?.resourceVersion;
      entry.backoff.reset();
      const ackedAtMs = this.now();
      entry.notBeforeMs = ackedAtMs + (this.options.spacingMs ?? statusWriteSpacingMs)(next.status);
      if (next.eventAtMs !== undefined) {
        this.metrics.podStatusSyncDurationSeconds.observe((ackedAtMs - next.eventAtMs) / 1000);
      }
      this.options.onWritten?.({ uid, eventAtMs: next.eventAtMs, issuedAtMs, ackedAtMs });
    } catch (err) {
      const kind = kubeErrorKind(err);
      if (kind === 'notFound' || kind === 'conflict' || kind === 'invalidInput') {
        // Gone, replaced by a same-named pod, or refused: nothing to retry.
        this.logger[kind === 'invalidInput' ? 'warn' : 'debug'](
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
