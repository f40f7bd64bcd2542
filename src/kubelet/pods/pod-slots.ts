import type { WirePod } from '../kube/wire-types.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { Backoff } from '../../common/backoff.js';
import type { PodRecord } from './pod-record.js';

/** One pod: its record, what was observed of it, and its place in the sync loop. */
export interface PodSlot {
  record: PodRecord;
  /** namespace/name when the slot was made: its key in the name index. */
  readonly nameKey: string;
  apiPod: WirePod | undefined;
  lastApiPod: WirePod | undefined;
  runnerFinal: Pod__Output | undefined;
  /** Arrival of the oldest runner event not yet reflected in a status write. */
  eventAtMs: number | undefined;
  syncing: boolean;
  /** Waiting for a later turn (the turn's budget was spent): no sync runs yet. */
  queued: boolean;
  /** Something changed during the sync: run it again. */
  dirty: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  retryBackoff: Backoff;
  /** The eviction manager asked to evict the pod: the next sync starts with it. */
  evictionMessage?: string | undefined;
  /** When the latest sync started (epoch ms); the record's first sighting before the first (resync-schedule.ts). */
  syncStartedAtMs: number;
}

/**
 * The executor's slots by UID, with an index by namespace/name so finding a
 * pod's namesakes is no scan of every pod per event. A new slot for a UID
 * replaces the old one in both.
 */
export class PodSlots {
  private readonly byUid = new Map<string, PodSlot>();
  /** The slots of each namespace/name in creation order. */
  private readonly byName = new Map<string, Set<PodSlot>>();

  get(uid: string): PodSlot | undefined {
    return this.byUid.get(uid);
  }

  has(uid: string): boolean {
    return this.byUid.has(uid);
  }

  values(): IterableIterator<PodSlot> {
    return this.byUid.values();
  }

  /** Whether `slot` is still the one kept for its UID (not forgotten, not replaced). */
  isCurrent(slot: PodSlot): boolean {
    return this.byUid.get(slot.record.uid) === slot;
  }

  /** A fresh slot for the record, replacing any slot of its UID. */
  add(record: PodRecord, retry: { retryInitialMs: number; retryMaxMs: number }): PodSlot {
    const slot: PodSlot = {
      record,
      nameKey: nameKey(record.namespace, record.name),
      apiPod: undefined,
      lastApiPod: undefined,
      runnerFinal: undefined,
      eventAtMs: undefined,
      syncing: false,
      queued: false,
      dirty: false,
      retryTimer: undefined,
      retryBackoff: new Backoff(retry.retryInitialMs, retry.retryMaxMs),
      syncStartedAtMs: record.firstSeenMs,
    };
    const replaced = this.byUid.get(record.uid);
    if (replaced) this.byName.get(replaced.nameKey)?.delete(replaced);
    this.byUid.set(record.uid, slot);
    const same = this.byName.get(slot.nameKey);
    if (same) same.add(slot);
    else this.byName.set(slot.nameKey, new Set([slot]));
    return slot;
  }

  delete(slot: PodSlot): void {
    this.byUid.delete(slot.record.uid);
    const same = this.byName.get(slot.nameKey);
    same?.delete(slot);
    if (same?.size === 0) this.byName.delete(slot.nameKey);
  }

  /** Every slot with this namespace and name, whatever its UID. */
  namesakes(namespace: string, name: string): Iterable<PodSlot> {
    return this.byName.get(nameKey(namespace, name)) ?? [];
  }
}

function nameKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
