import type { ContainerStatus } from '../../generated/vkcmd/runner/v1/ContainerStatus.js';
import type { Pod } from '../../generated/vkcmd/runner/v1/Pod.js';
import type { LaunchPlan } from '../process/launch-plan.js';
import type { HealthSpec } from '../probes/container-health.js';
import type { ContainerLimits } from '../process/container-limiter.js';
import type { SetupFailure, TerminatedInfo } from './container-status.js';
import type { SecurityNote } from '../security/security-decision.js';

/** A container state in the contract's shape (the oneof's member plus its name). */
export type ContainerStateValue =
  | { state: 'waiting'; waiting: { reason: string; message: string } }
  | { state: 'running'; running: { startedAtMs: number } }
  | { state: 'terminated'; terminated: TerminatedInfo & { startedAtMs: number; finishedAtMs: number } };

/** What the runner persists about one container; enough to re-adopt or restart it. */
export interface ContainerRecord {
  name: string;
  init: boolean;
  image: string;
  /** Absolute container directory. */
  dir: string;
  launch: LaunchPlan | undefined;
  setupError: SetupFailure | undefined;
  state: ContainerStateValue;
  lastState: ContainerStateValue | undefined;
  restartCount: number;
  /** Process group of the current (or last) run; 0 before the first. */
  pgid: number;
  leaderStartTicks: number;
  /** Boot id when the run started: after a reboot no process can be left. */
  bootId: string;
  /** The back-off used for the last restart; 0 when none yet. */
  backoffMs: number;
  /** Wall time of the planned restart while in back-off; 0 otherwise. */
  restartAtMs: number;
  /** Deletion sent SIGKILL to this run's group (its processes outlived the grace period). */
  killed?: boolean;
  /** Probes and lifecycle hooks (app containers), as CreatePod gave them. */
  health?: HealthSpec | undefined;
  /** Probe verdicts of the current run (see probes/): kept so a restarted runner does not flap readiness. */
  started?: boolean | undefined;
  ready?: boolean | undefined;
  /**
   * The launch token of the current (or last) run: its group carries it in
   * VK_CMD_LAUNCH_TOKEN and its run file is named after it. Empty before the
   * first run and after a start that never began was given up; absent in
   * records of older runners.
   */
  launchToken?: string;
  /**
   * Saved (with a fresh launchToken) before a run is spawned and cleared
   * once the run is recorded running or failed: a runner that finds it set
   * settles the start from evidence (start-resolution.ts), so the command
   * never runs twice.
   */
  launching?: boolean;
  /** Memory and CPU limits (absent in records of older runners: none). */
  limits?: ContainerLimits;
  /** The current run was started inside its own cgroup. */
  cgroupJoined?: boolean;
  /** The memory watchdog killed the current run: its limit and the working set it saw. */
  memoryKill?: { limitBytes: number; usageBytes: number };
  /** An ephemeral (debug) container added to the running pod: run once, never restarted. */
  ephemeral?: boolean;
  /** Its security settings cannot be honoured: it waits (CreateContainerConfigError) and never starts. */
  securityRefusal?: string;
  /** Security settings it runs without (reported for the kubelet's events). */
  securityNotes?: SecurityNote[];
}

/** What the runner persists about one pod (state dir, one JSON file per uid). */
export interface PodRecord {
  version: 1;
  uid: string;
  namespace: string;
  name: string;
  restartPolicy: string;
  createdAtMs: number;
  podDir: string;
  /** False when the layout was refused and no pod directory was written. */
  podDirWritten: boolean;
  containers: ContainerRecord[];
  deleting: boolean;
  deleteStartedAtMs: number;
  gracePeriodSeconds: number;
  /** Deletion has sent SIGTERM (a restarted runner must not send it again). */
  termSent?: boolean;
  /** Deletion has sent SIGKILL. */
  killSent?: boolean;
  /** The pod's terminationGracePeriodSeconds: the grace of a container the runner stops on its own. */
  terminationGracePeriodSeconds?: number | undefined;
  /** Pod-wide security settings it runs without (host namespaces, sysctls). */
  securityNotes?: SecurityNote[];
}

export function waiting(reason: string, message = ''): ContainerStateValue {
  return { state: 'waiting', waiting: { reason, message } };
}

function statusOf(c: ContainerRecord, extra: Partial<ContainerStatus> | undefined): ContainerStatus {
  return {
    name: c.name,
    state: c.state,
    lastState: c.lastState ?? {},
    restartCount: c.restartCount,
    pgid: c.pgid,
    image: c.image,
    securityNotes: c.securityNotes ?? [],
    ...extra,
  };
}

/**
 * The contract's view of a pod record; `extra` adds what lives outside the
 * record to a container's status (probe verdicts and reports). Pure.
 */
export function podToProto(
  record: PodRecord,
  revision: number,
  extra?: (c: ContainerRecord) => Partial<ContainerStatus> | undefined,
): Pod {
  const status = (c: ContainerRecord): ContainerStatus => statusOf(c, extra?.(c));
  return {
    uid: record.uid,
    namespace: record.namespace,
    name: record.name,
    initContainerStatuses: record.containers.filter((c) => c.init).map(status),
    containerStatuses: record.containers.filter((c) => !c.init && !c.ephemeral).map(status),
    createdAtMs: record.createdAtMs,
    deleting: record.deleting,
    revision,
    restartPolicy: record.restartPolicy,
    ephemeralContainerStatuses: record.containers.filter((c) => c.ephemeral).map(status),
    securityNotes: record.securityNotes ?? [],
  };
}
