/*
 * What decideSecurity (security-decision.ts) reads and answers: who the
 * runner is, what its launch can do, the host's accounts, and the notes,
 * refusal and launch settings it decides.
 */

/** Who the runner is: the identity a container runs as when nothing changes it. */
export interface RunnerIdentity {
  uid: number;
  gid: number;
  /** Supplementary groups (getgroups). */
  groups: readonly number[];
  /** Effective capabilities (CapEff); 0n for an ordinary user. */
  capabilities: bigint;
}

/** What this runner's launch path can do to a container's process; see host-security.ts. */
export interface LaunchAbilities {
  /** Start the process as another uid, gid and supplementary groups (a root runner). */
  changeIds: boolean;
  /** Limit the capabilities (bounding and inheritable sets) of the process. */
  limitCapabilities: boolean;
  /** Set no_new_privs on the process. */
  noNewPrivs: boolean;
  /** Give the files the runner writes for a container (logs, volume files) its owner and fsGroup. */
  chownFiles: boolean;
}

/** Host accounts, for a uid's primary group and group memberships (/etc/passwd, /etc/group). */
export interface HostAccounts {
  primaryGid(uid: number): number | undefined;
  /** Groups that list the uid's user name as a member. */
  memberGroups(uid: number): readonly number[];
}

/** The pod a container belongs to, for messages worded as a kubelet words them. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
}

/** One setting the container runs without; the kubelet turns it into an event. */
export interface SecurityNote {
  field: string;
  reason: string;
  message: string;
  warning: boolean;
}

/** How to start the container's processes; undefined members mean "as the runner". */
export interface LaunchSecurity {
  /** Run as this uid, gid and exactly these supplementary groups. */
  identity?: { uid: number; gid: number; groups: number[] };
  /** Keep only these capabilities (bounding set; inheritable cleared). */
  capabilities?: bigint;
  /**
   * Of those, the ones a non-root uid keeps across exec (ambient and
   * inheritable): its capabilities.add. Unset for uid 0, which keeps the
   * whole bounding set as root does.
   */
  ambientCapabilities?: bigint;
  noNewPrivs: boolean;
}

/** The runner's answer for one container. */
export interface SecurityDecision {
  /** Set: the container is refused (waiting CreateContainerConfigError with this message) and never started. */
  refusal: string | undefined;
  /** Container-level settings not applied. */
  notes: SecurityNote[];
  /** Pod-level settings not applied (the same for every container of the pod). */
  podNotes: SecurityNote[];
  launch: LaunchSecurity;
  /** Owner (uid, gid) of the files the runner writes for the container; undefined: the runner's. */
  fileOwner?: { uid: number; gid: number };
  /** Group of the pod's volume files (fsGroup), when applied. */
  fsGroup?: number;
}

/** The reason of a note for a setting the container runs without. */
export const NOT_APPLIED = 'SecurityContextNotApplied';

/** Records a container-level note for `field` (a warning unless `warning` is false). */
export type NoteSink = (field: string, message: string, warning?: boolean) => void;
