import type { PodSpec__Output } from '../../generated/vkcmd/runner/v1/PodSpec.js';
import { healthSpecOf } from '../probes/pod-health.js';
import { terminatedFor, type SetupFailure } from './container-status.js';
import type { PodPlan } from './pod-plan.js';
import { waiting, type ContainerRecord, type PodRecord } from './pod-record.js';

/** A new pod's record without containers (addContainerRecords adds them), not written anywhere. Pure. */
export function newPodRecord(spec: PodSpec__Output, podDir: string, nowMs: number): PodRecord {
  return {
    version: 1,
    uid: spec.uid,
    namespace: spec.namespace,
    name: spec.name,
    restartPolicy: spec.restartPolicy || 'Never',
    createdAtMs: nowMs,
    podDir,
    podDirWritten: false,
    containers: [],
    deleting: false,
    deleteStartedAtMs: 0,
    gracePeriodSeconds: 0,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
  };
}

/** How a new pod's containers begin. */
export interface NewContainerOptions {
  /** The pod directory could not be laid out: every container is terminated with it. */
  layoutFailure: SetupFailure | undefined;
  nowMs: number;
  bootId: string;
  /** Told of each container refused for its security settings. */
  refused: (container: string, reason: string) => void;
}

/**
 * Adds the records of a new pod's containers: waiting to start, refused
 * (CreateContainerConfigError) or, when the layout failed, terminated. Pure
 * but for `refused`.
 */
export function addContainerRecords(
  record: PodRecord,
  spec: PodSpec__Output,
  plan: PodPlan,
  opts: NewContainerOptions,
): void {
  const healthOf = new Map(spec.containers.map((c) => [c.name, healthSpecOf(c)]));
  const hasInit = spec.initContainers.length > 0;
  record.containers = plan.containers.map((c): ContainerRecord => {
    const base: ContainerRecord = {
      name: c.name,
      init: c.init,
      image: c.image,
      dir: c.dir,
      launch: opts.layoutFailure ? undefined : c.launch,
      setupError: opts.layoutFailure ?? c.setupError,
      state: waiting(c.init || hasInit ? 'PodInitializing' : 'ContainerCreating'),
      lastState: undefined,
      restartCount: 0,
      pgid: 0,
      leaderStartTicks: 0,
      bootId: opts.bootId,
      backoffMs: 0,
      restartAtMs: 0,
      health: c.init ? undefined : healthOf.get(c.name),
      ...(c.limits ? { limits: c.limits } : {}),
    };
    const refusal = c.security?.refusal;
    if (c.security && c.security.notes.length > 0) base.securityNotes = c.security.notes;
    if (refusal !== undefined && !opts.layoutFailure) {
      // As a kubelet does, the container is never created; unlike one, nothing can change the answer, so no retries.
      base.securityRefusal = refusal;
      base.state = waiting('CreateContainerConfigError', refusal);
      opts.refused(c.name, refusal);
    }
    if (opts.layoutFailure) {
      const t = terminatedFor(
        { kind: 'setupFailed', reason: 'copyFileError', message: opts.layoutFailure.message },
        'fail',
      );
      base.state = {
        state: 'terminated',
        terminated: { ...t, startedAtMs: opts.nowMs, finishedAtMs: opts.nowMs },
      };
    }
    return base;
  });
  const podNotes = plan.containers.find((c) => c.security)?.security?.podNotes ?? [];
  if (podNotes.length > 0) record.securityNotes = podNotes;
}
