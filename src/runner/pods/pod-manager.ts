import path from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { ProbeCounter } from '../../generated/vkcmd/runner/v1/ProbeCounter.js';
import type { PodSpec__Output } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { crashPoint } from '../crash-points.js';
import { PodChangeFlusher, type PodChangeFeed } from './pod-change-flusher.js';
import type { DeletedPods } from './deleted-pods.js';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PreconditionError,
  UnavailableError,
  errorMessage,
} from '../../common/errors.js';
import { moveAside, removeMovedAside } from '../files/pod-directories.js';
import { addContainerRecords, newPodRecord } from './new-pod-record.js';
import { planPod } from './pod-plan.js';
import { PodRuntime, type PodRuntimeDeps } from './pod-runtime.js';
import { validatePodSpec } from './pod-spec-validation.js';
import { settleUnrecordedStarts, type StartEvidenceSource } from './start-resolution.js';
import type { PodStateStore } from './state-persistence.js';
import { writePodDirectory } from '../files/volume-writer.js';
import type { HostSecurity } from '../security/host-security.js';

export const DEFAULT_GRACE_PERIOD_SECONDS = 30;
/** The kubelet never gives a container less than this between SIGTERM and SIGKILL. */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

export type ManagerDeps = Omit<PodRuntimeDeps, 'onChange' | 'onFinished' | 'persistNow'> & {
  /** Who the runner is and what its launch can do: every container's security settings are decided against it. */
  security: HostSecurity;
  /** Evidence for starts a previous runner left unsettled (start-resolution.ts). */
  startEvidence: StartEvidenceSource;
};

/**
 * Owns every pod: validates and plans CreatePod, writes pod directories,
 * runs one PodRuntime per pod, persists each change and publishes it to the
 * change feed (changes of one pod in one turn are coalesced into one event).
 * CreatePod and DeletePod are idempotent per uid, and a deleted uid is
 * never run again (DeletedPods).
 */
export class PodManager {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly byName = new Map<string, string>();
  private readonly changes: PodChangeFlusher;
  private stopped = false;

  constructor(
    private readonly rootDir: string,
    private readonly store: PodStateStore,
    private readonly hub: PodChangeFeed,
    private readonly deps: ManagerDeps,
    private readonly deleted: DeletedPods,
    private readonly log: Logger,
  ) {
    this.changes = new PodChangeFlusher({
      clock: deps.clock,
      store,
      hub,
      isCurrent: (pod) => this.pods.get(pod.record.uid) === pod,
      log,
    });
  }

  private runtimeDeps(): PodRuntimeDeps {
    return {
      ...this.deps,
      onChange: (pod) => this.changes.markDirty(pod),
      persistNow: (pod) => this.store.save(pod.record),
      onFinished: (pod) => this.finished(pod),
    };
  }

  /**
   * Loads persisted pods and re-adopts them, after settling every start the
   * previous runner left unsettled. Call once before serving, when no
   * process can be starting on a previous runner's behalf.
   */
  resume(): number {
    const records = this.store.loadAll();
    for (const record of records) {
      const runtime = new PodRuntime(record, this.runtimeDeps());
      this.pods.set(record.uid, runtime);
      this.byName.set(runtime.key, record.uid);
    }
    const settled = settleUnrecordedStarts(
      [...this.pods.values()].map((p) => p.record),
      this.deps.startEvidence,
      this.log,
    );
    for (const runtime of this.pods.values()) {
      try {
        runtime.resume(settled);
      } catch (err) {
        this.log.error({ err, pod: runtime.key, uid: runtime.record.uid }, 'Failed to re-adopt pod');
      }
    }
    this.changes.flush();
    return records.length;
  }

  /** Validates, writes and starts a pod; a known uid returns its state and starts nothing. */
  create(input: PodSpec__Output | null | undefined): Pod {
    if (this.stopped) throw new UnavailableError('the runner is shutting down');
    const spec = validatePodSpec(input);
    const existing = this.pods.get(spec.uid);
    if (existing) return existing.toProto();
    if (this.deleted.has(spec.uid)) {
      throw new PreconditionError(
        `pod uid ${spec.uid} was deleted from this runner; a deleted pod is never run again (a new pod needs a new uid)`,
      );
    }
    const key = `${spec.namespace}/${spec.name}`;
    const holder = this.byName.get(key);
    if (holder) {
      const other = this.pods.get(holder)!;
      if (other.record.deleting) {
        throw new UnavailableError(
          `pod ${key} (uid ${holder}) is still being deleted; retry when it is gone`,
        );
      }
      throw new ConflictError(`pod ${key} already runs here with uid ${holder}`);
    }
    const podDir = path.join(this.rootDir, spec.namespace, spec.name);
    const plan = planPod(spec, podDir, this.deps.security);
    const now = this.deps.clock.nowMs();
    const record = newPodRecord(spec, podDir, now);
    let layoutFailure = plan.volumes === undefined ? plan.containers[0]?.setupError : undefined;
    if (plan.volumes) {
      try {
        writePodDirectory(podDir, plan.volumes, plan.ownership, () => this.moveStaleDirectory(podDir));
        record.podDirWritten = true;
      } catch (err) {
        layoutFailure = { reason: 'copyFileError', message: errorMessage(err) };
      }
    }
    addContainerRecords(record, spec, plan, {
      layoutFailure,
      nowMs: now,
      bootId: this.deps.bootId,
      refused: (container, reason) => this.log.info({ pod: key, container, reason }, 'Refused container'),
    });
    // Not saved yet: every start saves the record with its intent before any
    // process exists (recordIntent), and the record is saved below before
    // CreatePod answers, so a runner that dies in between left nothing running
    // and an unanswered CreatePod (retried, finding the directory to move aside).
    const runtime = new PodRuntime(record, this.runtimeDeps());
    this.pods.set(spec.uid, runtime);
    this.byName.set(key, spec.uid);
    this.log.info({ pod: key, uid: spec.uid }, layoutFailure ? 'Refused pod layout' : 'Created pod');
    runtime.advance();
    // One ADDED event carries the state after the first starts.
    this.changes.added(runtime);
    return runtime.toProto();
  }

  /**
   * CreatePod: create(), then the answer carries the state after the pod's
   * first batch of starts (they go through the start queue and the
   * launcher's replies, so they are over a moment later).
   */
  async createStarted(input: PodSpec__Output | null | undefined): Promise<Pod> {
    const created = this.create(input);
    const runtime = this.pods.get(created.uid ?? '');
    if (!runtime) return created;
    await runtime.firstStarts();
    return runtime.toProto();
  }

  /**
   * Starts deleting; an unknown uid is not an error. Returns at once. The
   * grace period defaults to 30 s and is at least 2 s, as a kubelet gives.
   */
  delete(uid: string, gracePeriodSeconds: number | undefined): { found: boolean; pod: Pod | undefined } {
    if (!uid) throw new InvalidInputError('uid: must not be empty');
    const runtime = this.pods.get(uid);
    if (!runtime) return { found: false, pod: undefined };
    const grace =
      gracePeriodSeconds === undefined
        ? DEFAULT_GRACE_PERIOD_SECONDS
        : Math.max(MINIMUM_GRACE_PERIOD_SECONDS, gracePeriodSeconds);
    runtime.delete(grace);
    return { found: true, pod: runtime.toProto() };
  }

  get(uid: string): Pod {
    if (!uid) throw new InvalidInputError('uid: must not be empty');
    const runtime = this.pods.get(uid);
    if (!runtime) throw new NotFoundError(`pod uid ${uid} not found`);
    return runtime.toProto();
  }

  /** The runtime of a pod by uid, or by namespace and name. */
  /** Who the runner is and what its launch can do (for ephemeral containers). */
  get hostSecurity(): HostSecurity {
    return this.deps.security;
  }

  find(ref: { uid?: string; namespace?: string; name?: string }): PodRuntime {
    if (ref.uid) {
      const runtime = this.pods.get(ref.uid);
      if (!runtime) throw new NotFoundError(`pod uid ${ref.uid} not found`);
      return runtime;
    }
    const uid = this.byName.get(`${ref.namespace ?? ''}/${ref.name ?? ''}`);
    if (!uid) throw new NotFoundError(`pod ${ref.namespace ?? ''}/${ref.name ?? ''} not found`);
    return this.pods.get(uid)!;
  }

  get podCount(): number {
    return this.pods.size;
  }

  list(): Pod[] {
    return [...this.pods.values()].map((p) => p.toProto());
  }

  runtimes(): PodRuntime[] {
    return [...this.pods.values()];
  }

  /** prober_probe_total of every pod, for GetProbeMetrics. */
  probeCounters(): ProbeCounter[] {
    return [...this.pods.values()].flatMap((p) => p.probeCounters());
  }

  /** Process groups of every running container. */
  runningPgids(): Set<number> {
    const out = new Set<number>();
    for (const p of this.pods.values()) {
      for (const c of p.record.containers) if (c.state.state === 'running') out.add(c.pgid);
    }
    return out;
  }

  /** Stops timers and watchers; processes keep running and are re-adopted by the next runner. */
  stop(): void {
    this.stopped = true;
    this.changes.flush(true);
    for (const p of this.pods.values()) p.detach();
  }

  /** An older directory of the same pod name is moved aside, and removed unless pod directories are kept. */
  private moveStaleDirectory(podDir: string): void {
    const aside = moveAside(podDir, Date.now());
    if (aside === undefined) return;
    this.log.info({ dir: podDir, movedTo: aside }, 'Moved an old pod directory aside');
    if (this.deps.keepPodDirs) return;
    removeMovedAside(aside).catch((err: unknown) =>
      this.log.warn({ err, dir: aside }, 'Failed to remove an old pod directory'),
    );
  }

  private finished(pod: PodRuntime): void {
    this.changes.forget(pod);
    this.pods.delete(pod.record.uid);
    this.deleted.add(pod.record.uid);
    if (this.byName.get(pod.key) === pod.record.uid) this.byName.delete(pod.key);
    crashPoint('delete.before-forget');
    try {
      this.store.remove(pod.record.uid);
    } catch (err) {
      this.log.error({ err, pod: pod.key }, 'Failed to remove pod state');
    }
    crashPoint('delete.after-forget');
    this.hub.publish('WATCH_EVENT_TYPE_DELETED', (rev) => {
      pod.revision = rev;
      return pod.toProto();
    });
  }
}
