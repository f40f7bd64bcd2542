import type { WirePod } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import type { Pod__Output } from '../../generated/vkcmd/runner/v1/Pod.js';
import { podWorkerOperation, type PodWorkerOperation } from '../kubelet-state-metrics.js';
import { decide } from './decide.js';
import type { PodAction, PodInput, PodView } from './pod-actions.js';
import type { PodEffects } from './pod-effects.js';
import { newPodRecord, type PodRecord, type PodState, type RunnerPods } from './pod-record.js';
import { processTurnBudget, type TurnBudget } from './turn-budget.js';
import { PodSlots, type PodSlot } from './pod-slots.js';
import { DeferredSyncs } from './deferred-syncs.js';
import { isOwnStatusEcho } from './status-echo.js';
import { planResync } from './resync-schedule.js';

export interface PodExecutorOptions {
  now: () => number;
  /** Back-off between retries of a pod whose create (or another call) failed. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Observes each completed sync: what it did, in the kubelet's words, and how long it took. */
  onSynced?: (operation: PodWorkerOperation, durationMs: number) => void;
  /**
   * Syncs that start in one turn of the event loop once this budget is spent
   * wait for a later turn (default: the process's one budget, shared by the
   * nodes of a fleet, of DEFAULT_TURN_BUDGET_MS).
   */
  turnBudget?: TurnBudget;
}

/** A pod as diagnostics and tests see it: the record plus whether it ever ran and whether a sync runs. */
export interface PodSnapshot extends PodRecord {
  /** The runner held this pod at some point (created here or adopted). */
  created: boolean;
  /** A sync runs, or waits for a later turn of the event loop to start. */
  syncing: boolean;
}

/**
 * Runs each pod's lifecycle: notes what is observed, runs `decide`, stores
 * the record it returns (the only writer of records) and performs its actions
 * through PodEffects, feeding each async result back into `decide`. One sync
 * per pod at a time; anything arriving meanwhile marks it dirty and the sync
 * runs again once it ends. A failed sync retries with capped back-off.
 */
export class PodExecutor {
  private readonly slots = new PodSlots();
  /** Slots whose sync waits for a later turn. */
  private readonly deferred: DeferredSyncs;
  private stopped = false;

  constructor(
    private readonly runner: RunnerPods,
    private readonly effects: PodEffects,
    private readonly logger: Logger,
    private readonly options: PodExecutorOptions,
  ) {
    this.deferred = new DeferredSyncs(
      options.turnBudget ?? processTurnBudget,
      (slot) => this.start(slot),
      (slot) => this.slots.isCurrent(slot),
    );
  }

  has(uid: string): boolean {
    return this.slots.has(uid);
  }

  snapshot(uid: string): PodSnapshot | undefined {
    const slot = this.slots.get(uid);
    if (!slot) return undefined;
    return {
      ...slot.record,
      created: slot.record.runnerHistory !== 'never',
      syncing: slot.syncing || slot.queued,
    };
  }

  /**
   * The API added or changed a pod bound to the node. The echo of the
   * kubelet's own status patch of a running pod is noted without a sync
   * (see isOwnStatusEcho).
   */
  apiPodChanged(pod: WirePod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    for (const other of this.slots.namesakes(namespace, name)) {
      // A relist reports a same-named replacement as an update; the old UID is gone.
      if (other.record.uid !== uid && other.apiPod) {
        other.apiPod = undefined;
        this.enqueue(other);
      }
    }
    let slot = this.slots.get(uid);
    if (!slot) {
      slot = this.slots.add(newPodRecord(uid, namespace, name, this.options.now()), this.options);
    }
    const previous = slot.apiPod;
    slot.apiPod = pod;
    slot.lastApiPod = pod;
    // The echo of our own status patch: its sync would compute and skip the status just written.
    if (isOwnStatusEcho(slot.record.state.kind, previous, pod, this.effects.writtenVersion(uid))) return;
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
    this.enqueue(slot, true);
    return true;
  }

  /** The runner forgot a pod (every process gone); `pod` carries its final state. */
  runnerPodDeleted(pod: Pod__Output, receivedAtMs: number): void {
    const slot = this.slots.get(pod.uid);
    if (slot) {
      slot.runnerFinal = pod;
      slot.eventAtMs ??= receivedAtMs;
      this.enqueue(slot, true);
    }
    // A same-named successor may have been waiting for this pod's directory.
    for (const other of this.slots.namesakes(pod.namespace, pod.name)) {
      if (other !== slot) this.enqueue(other);
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
    this.enqueue(this.slots.add(record, { retryInitialMs: 1000, retryMaxMs: 10_000 }));
  }

  /** The eviction manager evicts the pod (see decide's `evict`); false when no record has that UID. */
  evict(uid: string, message: string): boolean {
    const slot = this.slots.get(uid);
    if (!slot) return false;
    slot.evictionMessage = message;
    this.enqueue(slot);
    return true;
  }

  /** Syncs every pod; beyond the turn's budget they start in later turns. */
  syncAll(): void {
    for (const slot of this.slots.values()) this.enqueue(slot);
  }

  /**
   * The periodic resync: syncs the pods due by now (planResync) and returns
   * when the next of the others is due (undefined: none is).
   */
  syncStale(intervalMs: number, slackMs: number): number | undefined {
    const plan = planResync(this.slots.values(), this.options.now(), intervalMs, slackMs);
    for (const slot of plan.due) this.enqueue(slot);
    return plan.nextAtMs;
  }

  /** No sync starts or re-runs after this; armed retries are cancelled. */
  stop(): void {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.retryTimer);
    this.deferred.stop();
  }

  /**
   * `now`: a runner event, synced at once whatever the budget, as it arrives:
   * a container's running state must be seen (its Started event, a Running
   * status) even when its exit follows in the same burst.
   */
  private enqueue(slot: PodSlot, now = false): void {
    if (this.stopped) return;
    if (slot.syncing) {
      slot.dirty = true;
      return;
    }
    if (slot.queued) {
      // Already waiting: the sync it will run sees this change too; a runner event starts it now.
      if (!now) return;
      slot.queued = false;
    } else if (!now && !this.deferred.mayStartNow()) {
      this.deferred.push(slot);
      return;
    }
    this.start(slot);
  }

  private start(slot: PodSlot): void {
    slot.syncing = true;
    void this.run(slot);
  }

  private async run(slot: PodSlot): Promise<void> {
    do {
      slot.dirty = false;
      const startedMs = this.options.now();
      slot.syncStartedAtMs = startedMs;
      const operation = podWorkerOperation(slot.apiPod, this.runner.getPod(slot.record.uid));
      try {
        await this.sync(slot);
        this.options.onSynced?.(operation, this.options.now() - startedMs);
      } catch (err) {
        this.log(slot, 'warn', 'Pod sync failed', { err });
        this.scheduleRetry(slot);
      }
    } while (slot.dirty && !this.stopped && this.slots.isCurrent(slot));
    slot.syncing = false;
  }

  /** One sync: decide, perform, and decide again on each async result until none is left. */
  private async sync(slot: PodSlot): Promise<void> {
    const message = slot.evictionMessage;
    slot.evictionMessage = undefined;
    let input: PodInput | undefined = message === undefined ? { type: 'sync' } : { type: 'evict', message };
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
    this.slots.delete(slot);
    this.effects.forget(slot.record.uid);
  }

  private log(slot: PodSlot, level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
    const { namespace, name, uid } = slot.record;
    this.logger[level]({ ...fields, pod: `${namespace}/${name}`, uid }, message);
  }
}
