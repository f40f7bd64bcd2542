import type { WireEvent, WirePod } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import { rfc3339 } from '../kube-time.js';
import type { KubeApi } from '../kube/kube-api.js';
import { kubeErrorKind } from '../kube/kube-errors.js';
import { CallLimiter } from '../runner/call-limiter.js';
import { EventCorrelator } from './event-correlator.js';
import { LruMap } from '../lru-map.js';

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** e.g. `spec.containers{c1}`; omitted for pod-level events. */
  fieldPath?: string;
  /** How many occurrences this emit stands for (several probe failures pushed at once); 1 when unset. */
  count?: number;
}

/** `spec.containers{name}`, `spec.initContainers{name}` or `spec.ephemeralContainers{name}`, as the kubelet references containers. */
export function containerFieldPath(pod: WirePod, container: string): string {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === container);
  const isEphemeral = !isInit && (pod.spec?.ephemeralContainers ?? []).some((c) => c.name === container);
  const list = isInit ? 'initContainers' : isEphemeral ? 'ephemeralContainers' : 'containers';
  return `spec.${list}{${container}}`;
}

export interface EventRecorderOptions {
  now?: () => number;
  /** How many distinct events are remembered for folding repeats (least recently used go first). */
  maxRemembered?: number;
  /**
   * A repeat later than this after the last write starts a new event: the API
   * server deletes events an hour (--event-ttl) after their last write.
   */
  maxAgeMs?: number;
  /** Event writes in flight at once (default MAX_EVENT_WRITES_IN_FLIGHT); the rest wait, in order. */
  maxWritesInFlight?: number;
}

/**
 * Event writes share the API connections with status patches: a pod of
 * 1,000 containers emits 1,000 Started events in bursts, which would otherwise
 * take every connection and queue other pods' status patches behind them.
 */
export const MAX_EVENT_WRITES_IN_FLIGHT = 4;

/** An event the API server holds, as far as this process knows. */
interface Recorded {
  namespace: string;
  body: WireEvent;
  count: number;
  /** Occurrences the spam filter held back since the last write: the next write counts them. */
  unwritten: number;
  /** An aggregate of similar events: each write also carries the latest message. */
  aggregate: boolean;
  lastWriteMs: number;
  /** Writes of this event run one at a time, in order. */
  queue: Promise<void>;
}

/**
 * Emits core/v1 Events about pods as a kubelet does (source kubelet/<node>).
 * A repeat of the same event is folded into the first one (count and
 * lastTimestamp patched), as client-go's recorder does: the count moves only
 * once the API server took it, and an event the API server already expired
 * (404 on the patch) is created again. Before that, client-go's correlator
 * (event-correlator.ts): similar events of a pod beyond ten messages are
 * written as one aggregate, and at most 25 writes per pod go out at once,
 * then one per 5 minutes; a repeat held back is counted by the next write
 * of its event. Remembered events are bounded (LRU) and forgotten after
 * maxAgeMs. Fire-and-forget: never blocks or fails the caller.
 */
export class EventRecorder {
  private readonly recorded: LruMap<Recorded>;
  private sequence = 0;
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  private readonly writes: CallLimiter;
  private readonly correlator: EventCorrelator;

  constructor(
    private readonly api: KubeApi,
    private readonly nodeName: string,
    private readonly logger: Logger,
    options: EventRecorderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.recorded = new LruMap(options.maxRemembered ?? 4096);
    this.maxAgeMs = options.maxAgeMs ?? 50 * 60_000;
    this.writes = new CallLimiter(options.maxWritesInFlight ?? MAX_EVENT_WRITES_IN_FLIGHT);
    this.correlator = new EventCorrelator(this.now);
  }

  emit(pod: WirePod, event: PodEvent): void {
    const object = [pod.metadata?.namespace, pod.metadata?.name, pod.metadata?.uid].join('\u0000');
    const aggregation = this.correlator.aggregate({
      object,
      type: event.type,
      reason: event.reason,
      message: event.message,
    });
    const key = aggregation.aggregated
      ? `aggregate\u0000${aggregation.group}`
      : [pod.metadata?.uid, event.fieldPath, event.type, event.reason, event.message].join('\u0000');
    const times = Math.max(1, Math.floor(event.count ?? 1));
    const previous = this.remembered(key);
    if (!this.correlator.admit(object)) {
      // Dropped as a kubelet's spam filter drops it; a known event counts it at its next write.
      if (previous) previous.unwritten += times;
      this.logger.debug({ reason: event.reason, pod: podKey(pod) }, 'Event dropped by the spam filter');
      return;
    }
    const entry =
      previous ?? this.remember(key, pod, { ...event, message: aggregation.message }, aggregation.aggregated);
    if (previous && aggregation.aggregated) entry.body.message = aggregation.message;
    const write = previous ? () => this.writeRepeat(entry, times) : () => this.writeNew(key, entry, times);
    entry.queue = entry.queue
      .then(() => this.writes.run(write))
      .catch((err: unknown) =>
        this.logger.debug({ err, reason: event.reason, pod: podKey(pod) }, 'Failed to record event'),
      );
  }

  /** Resolves once every write requested so far has finished (tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.recorded.values()].map((r) => r.queue));
  }

  /** The remembered event for `key`, marked most recently used; undefined when unknown or too old. */
  private remembered(key: string): Recorded | undefined {
    const entry = this.recorded.get(key);
    if (!entry || this.now() - entry.lastWriteMs <= this.maxAgeMs) return entry;
    this.recorded.delete(key);
    return undefined;
  }

  private remember(key: string, pod: WirePod, event: PodEvent, aggregate: boolean): Recorded {
    const nowMs = this.now();
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = `${pod.metadata?.name ?? 'pod'}.${(BigInt(nowMs) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`;
    const entry: Recorded = {
      namespace,
      count: 0,
      unwritten: 0,
      aggregate,
      lastWriteMs: nowMs,
      queue: Promise.resolve(),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
          ...(event.fieldPath ? { fieldPath: event.fieldPath } : {}),
        },
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: { component: 'kubelet', host: this.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: this.nodeName,
        firstTimestamp: rfc3339(nowMs),
        lastTimestamp: rfc3339(nowMs),
        count: 1,
      },
    };
    this.recorded.set(key, entry);
    return entry;
  }

  private async writeNew(key: string, entry: Recorded, times: number): Promise<void> {
    try {
      await this.api.createEvent(entry.namespace, times === 1 ? entry.body : { ...entry.body, count: times });
    } catch (err) {
      // Not recorded: the next emit of it creates it again.
      if (this.recorded.peek(key) === entry) this.recorded.delete(key);
      throw err;
    }
    entry.count = times;
    entry.lastWriteMs = this.now();
  }

  private async writeRepeat(entry: Recorded, times: number): Promise<void> {
    const nowMs = this.now();
    const held = entry.unwritten;
    entry.unwritten = 0;
    const count = entry.count + times + held;
    const lastTimestamp = rfc3339(nowMs);
    const patch = entry.aggregate
      ? { count, lastTimestamp, message: entry.body.message }
      : { count, lastTimestamp };
    try {
      await this.api.patchEvent(entry.namespace, entry.body.metadata.name ?? '', patch);
    } catch (err) {
      if (kubeErrorKind(err) !== 'notFound') {
        entry.unwritten += held;
        throw err;
      }
      // Expired in the API server: the aggregate lives on in a re-created event.
      await this.api.createEvent(entry.namespace, {
        ...entry.body,
        count,
        lastTimestamp,
      });
    }
    entry.count = count;
    entry.lastWriteMs = nowMs;
  }
}

export function podKey(pod: WirePod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
