import type { WirePod } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { Backoff } from '../../common/backoff.js';
import { podWorkerOperation, type PodWorkerOperation } from '../kubelet-state-metrics.js';
import { decide } from './decide.js';
import type { PodAction, PodInput, PodView } from './pod-actions.js';
import type { PodEffects } from './pod-effects.js';
import { newPodRecord, type PodRecord, type PodState, type RunnerPods } from './pod-record.js';

export interface PodExecutorOptions {
  now: () => number;
  /** Back-off between retries of a pod whose create (or another call) failed. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Observes each completed sync: what it did, in the kubelet's words, and how long it took. */
  onSynced?: (operation: PodWorkerOperation, durationMs: number) => void;
}

/** A pod as diagnostics and tests see it: the record plus whether it ever ran and whether a sync runs. */
export interface PodSnapshot extends PodRecord {
  /** The runner held this pod at some point (created here or adopted). */
  created: boolean;
  syncing: boolean;
}

/** One pod: its record, what was observed of it, and its place in the sync loop. */
interface PodSlot {
  record: PodRecord;
  apiPod: WirePod | undefined;
  lastApiPod: WirePod | undefined;
  runnerFinal: Pod__Output | undefined;
  /** Arrival of the oldest runner event not yet reflected in a status write. */
  eventAtMs: number | undefined;
  syncing: boolean;
  /** Something changed during the sync: run it again. */
  dirty: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  retryBackoff: Backoff;
}

/**
 * Runs each pod's lifecycle: notes what is observed, runs `decide`, stores
 * the record it returns (the only writer of records) and performs its actions
 * through PodEffects, feeding each async result back into `decide`. One sync
 * per pod at a time; anything arriving meanwhile marks it dirty and the sync
 * runs again once it ends. A failed sync retries with capped back-off.
 */
export class PodExecutor {
  private readonly slots = new Map<string, PodSlot>();
  private stopped = false;

  constructor(
    private readonly runner: RunnerPods,
    private readonly effects: PodEffects,
    private readonly logger: Logger,
    private readonly options: PodExecutorOptions,
  ) {}

  has(uid: string): boolean {
    return this.slots.has(uid);
  }

  snapshot(uid: string): PodSnapshot | undefined {
    const slot = this.slots.get(uid);
    if (!slot) return undefined;
    return { ...slot.record, created: slot.record.runnerHistory !== 'never', syncing: slot.syncing };
  }

  /** The API added or changed a pod bound to the node. */
  apiPodChanged(pod: WirePod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    for (const other of this.slots.values()) {
      // A relist reports a same-named replacement as an update; the old UID is gone.
      const { record } = other;
      if (record.uid !== uid && other.apiPod && record.namespace === namespace && record.name === name) {
        other.apiPod = undefined;
        this.enqueue(other);
      }
    }
    let slot = this.slots.get(uid);
    if (!slot) {
      slot = this.newSlot(newPodRecord(uid, namespace, name, this.options.now()), this.options);
    }
    slot.apiPod = pod;
    slot.lastApiPod = pod;
    this.enqueue(slot);
  }

  /** The API no longer has the pod. */
  apiPodDeleted(pod: WirePod): void {
    const slot = pod.metadata?.uid ? this.slots.get(pod.metadata.uid) : undefined;
    if (!slot) return;
    slot.apiPod = undefined;
    this.enqueue(slot);
  }

  /** The runner's pod changed; false when no record has that UID. */
  runnerPodChanged(pod: Pod__Output, receivedAtMs: number): boolean {
    const slot = this.slots.get(pod.uid);
    if (!slot) return false;
    slot.eventAtMs ??= receivedAtMs;
    this.enqueue(slot);
    return true;
  }

  /** The runner forgot a pod (every process gone); `pod` carries its final state. */
  runnerPodDeleted(pod: Pod__Output, receivedAtMs: number): void {
    const slot = this.slots.get(pod.uid);
    if (slot) {
      slot.runnerFinal = pod;
      slot.eventAtMs ??= receivedAtMs;
      this.enqueue(slot);
    }
    // A same-named successor may have been waiting for this pod's directory.
    for (const other of this.slots.values()) {
      if (other !== slot && other.record.namespace === pod.namespace && other.record.name === pod.name) {
        this.enqueue(other);
      }
    }
  }

  /** A record for a runner pod the API server does not have: it is stopped in the runner. */
  adoptOrphan(runnerPod: Pod__Output): void {
    const orphan: PodState = { kind: 'orphan' };
    const record = newPodRecord(
      runnerPod.uid,
      runnerPod.namespace,
      runnerPod.name,
      this.options.now(),
      orphan,
    );
    // Orphans keep the default back-off whatever the options say.
    this.enqueue(this.newSlot(record, { retryInitialMs: 1000, retryMaxMs: 10_000 }));
  }

  syncAll(): void {
    for (const slot of this.slots.values()) this.enqueue(slot);
  }

  /** No sync starts or re-runs after this; armed retries are cancelled. */
  stop(): void {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.retryTimer);
  }

  private newSlot(record: PodRecord, retry: { retryInitialMs: number; retryMaxMs: number }): PodSlot {
    const slot: PodSlot = {
      record,
      apiPod: undefined,
      lastApiPod: undefined,
      runnerFinal: undefined,
      eventAtMs: undefined,
      syncing: false,
      dirty: false,
      retryTimer: undefined,
      retryBackoff: new Backoff(retry.retryInitialMs, retry.retryMaxMs),
    };
    this.slots.set(record.uid, slot);
    return slot;
  }

  private enqueue(slot: PodSlot): void {
    if (this.stopped) return;
    if (slot.syncing) {
      slot.dirty = true;
      return;
    }
    slot.syncing = true;
    void this.run(slot);
  }

  private async run(slot: PodSlot): Promise<void> {
    do {
      slot.dirty = false;
      const startedMs = this.options.now();
      const operation = podWorkerOperation(slot.apiPod, this.runner.getPod(slot.record.uid));
      try {
        await this.sync(slot);
        this.options.onSynced?.(operation, this.options.now() - startedMs);
      } catch (err) {
        this.log(slot, 'warn', 'Pod sync failed', { err });
        this.scheduleRetry(slot);
      }
    } while (slot.dirty && !this.stopped && this.slots.get(slot.record.uid) === slot);
    slot.syncing = false;
  }

  /** One sync: decide, perform, and decide again on each async result until none is left. */
  private async sync(slot: PodSlot): Promise<void> {
    let input: PodInput | undefined = { type: 'sync' };
    while (input) {
      const { next, actions } = decide(slot.record, this.view(slot), input);
      slot.record = next;
      input = undefined;
      for (const action of actions) {
        const outcome = this.perform(slot, action);
        const result = outcome instanceof Promise ? await outcome : outcome;
        if (result) input = result;
      }
    }
  }

  private view(slot: PodSlot): PodView {
    return {
      apiPod: slot.apiPod,
      lastApiPod: slot.lastApiPod,
      runnerPod: this.runner.getPod(slot.record.uid),
      runnerFinal: slot.runnerFinal,
      runnerPods: this.runner.pods(),
      linkSynced: this.runner.isSynced(),
      retryPending: slot.retryTimer !== undefined,
      nowMs: this.options.now(),
    };
  }

  private perform(slot: PodSlot, action: PodAction): PodInput | void | Promise<PodInput | void> {
    const { uid, namespace, name, firstSeenMs } = slot.record;
    const ref = { uid, namespace, name };
    switch (action.type) {
      case 'createInRunner':
        return this.effects.create(ref, action.pod, () => this.stillWanted(slot));
      case 'deleteInRunner':
        return this.effects.deleteInRunner(ref, action.gracePeriodSeconds);
      case 'deleteApiObject':
        return this.effects.deleteApiObject(ref);
      case 'addEphemeralContainer':
        return this.effects.addEphemeralContainer(ref, action.pod, action.container);
      case 'writeStatus': {
        const eventAtMs = slot.eventAtMs;
        slot.eventAtMs = undefined;
        const written = this.effects.writeStatus(ref, firstSeenMs, action, eventAtMs);
        return action.wait ? written : undefined;
      }
      case 'emitEvent':
        return this.effects.emit(action.pod, action.event);
      case 'observeStartLatency':
        return this.effects.observeStartLatency(action.seconds);
      case 'log':
        return this.log(slot, action.level, action.message, action.fields);
      case 'scheduleRetry':
        return this.scheduleRetry(slot);
      case 'resetRetryBackoff':
        return slot.retryBackoff.reset();
      case 'resync':
        slot.dirty = true;
        return;
      case 'forget':
        return this.forget(slot);
    }
  }

  /** Whether a create whose objects were just fetched should still go ahead. */
  private stillWanted(slot: PodSlot): boolean {
    return slot.apiPod !== undefined && !slot.apiPod.metadata?.deletionTimestamp && this.runner.isSynced();
  }

  private scheduleRetry(slot: PodSlot): void {
    if (slot.retryTimer || this.stopped) return;
    const delayMs = slot.retryBackoff.next();
    slot.retryTimer = setTimeout(() => {
      slot.retryTimer = undefined;
      this.enqueue(slot);
    }, delayMs);
  }

  private forget(slot: PodSlot): void {
    clearTimeout(slot.retryTimer);
    this.slots.delete(slot.record.uid);
    this.effects.forget(slot.record.uid);
  }

  private log(slot: PodSlot, level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
    const { namespace, name, uid } = slot.record;
    this.logger[level]({ ...fields, pod: `${namespace}/${name}`, uid }, message);
  }
}
