import { LruMap } from '../lru-map.js';

/*
 * What a kubelet's event recorder does before it writes an Event, with the
 * defaults of client-go's EventCorrelator (tools/record/events_cache.go),
 * which every kubelet uses:
 *
 * - Aggregation: events about one object from one source with the same type
 *   and reason that differ only in their message are "similar". From the
 *   10th distinct message within 10 minutes on, an event is written as one
 *   aggregate instead, with the message prefixed "(combined from similar
 *   events): ", which its later occurrences count up.
 * - Spam filter: each source may write 25 events (creates or count
 *   updates) about one object at once, then one more every 5 minutes (a
 *   token bucket per object); the rest are dropped.
 *
 * So a pod of 1,000 containers costs the API server about 25 event writes
 * while it starts, not 1,000 (each 1.2-1.5 ms of kube-apiserver CPU
 * and 0.4-0.5 ms of etcd's on the bench machine).
 */

/** Events a source may write about one object at once. */
export const SPAM_BURST = 25;
/** The time in which one more write about an object becomes allowed (client-go: 1/300 per second). */
export const SPAM_REFILL_MS = 300_000;
/** Distinct messages of similar events from which on they are aggregated. */
export const AGGREGATE_MAX_MESSAGES = 10;
/** Similar events further apart than this start afresh. */
export const AGGREGATE_WINDOW_MS = 600_000;
/** The message prefix of an aggregate event. */
export const AGGREGATE_MESSAGE_PREFIX = '(combined from similar events): ';
/** Objects (and groups of similar events) remembered, least recently used first out. */
export const CORRELATOR_CACHE_ENTRIES = 4096;

/** The parts of an event the correlator looks at; `object` names the involved object (namespace, name, uid). */
export interface CorrelatedInput {
  object: string;
  type: string;
  reason: string;
  message: string;
}

/** How to write an event: as it is, or as the aggregate of its group (`message` prefixed). */
export type Aggregation =
  { aggregated: false; message: string } | { aggregated: true; message: string; group: string };

interface SimilarEvents {
  messages: Set<string>;
  lastMs: number;
}

interface TokenBucket {
  tokens: number;
  lastMs: number;
}

/**
 * The aggregation and spam-filter state of one event source (one node's
 * kubelet). Synchronous and deterministic given the clock; no IO.
 */
export class EventCorrelator {
  private readonly groups: LruMap<SimilarEvents>;
  private readonly buckets: LruMap<TokenBucket>;

  constructor(
    private readonly now: () => number,
    cacheEntries = CORRELATOR_CACHE_ENTRIES,
  ) {
    this.groups = new LruMap(cacheEntries);
    this.buckets = new LruMap(cacheEntries);
  }

  /**
   * Records an occurrence in its group of similar events and says how to
   * write it: as it is while the group has seen fewer than
   * AGGREGATE_MAX_MESSAGES distinct messages in the window, else as the
   * group's aggregate (`group` identifies it; its occurrences fold into one
   * Event). As client-go, one message is forgotten at each aggregation, so
   * the group keeps aggregating while new messages come.
   */
  aggregate(input: CorrelatedInput): Aggregation {
    const nowMs = this.now();
    const group = [input.object, input.type, input.reason].join('\u0000');
    let similar = this.groups.get(group);
    if (!similar || nowMs - similar.lastMs > AGGREGATE_WINDOW_MS)
      similar = { messages: new Set(), lastMs: nowMs };
    similar.messages.add(input.message);
    similar.lastMs = nowMs;
    this.groups.set(group, similar);
    if (similar.messages.size < AGGREGATE_MAX_MESSAGES) return { aggregated: false, message: input.message };
    const first = similar.messages.values().next().value;
    if (first !== undefined) similar.messages.delete(first);
    return { aggregated: true, message: `${AGGREGATE_MESSAGE_PREFIX}${input.message}`, group };
  }

  /**
   * Takes a token of the object's bucket (SPAM_BURST, refilled one per
   * SPAM_REFILL_MS): true when this write may go out, false when it is to
   * be dropped.
   */
  admit(object: string): boolean {
    const nowMs = this.now();
    const bucket = this.buckets.get(object) ?? { tokens: SPAM_BURST, lastMs: nowMs };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + Math.max(0, nowMs - bucket.lastMs) / SPAM_REFILL_MS);
    bucket.lastMs = nowMs;
    const admitted = bucket.tokens >= 1;
    if (admitted) bucket.tokens -= 1;
    this.buckets.set(object, bucket);
    return admitted;
  }
}
