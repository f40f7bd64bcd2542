import type { SecurityContext__Output } from '../../generated/vkcmd/runner/v1/SecurityContext.js';
import { capabilityMask, capabilityNames, DEFAULT_CAPABILITIES } from './capabilities.js';

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

const NOT_APPLIED = 'SecurityContextNotApplied';

function kubeletPod(pod: PodIdentity): string {
  return JSON.stringify(`${pod.name}_${pod.namespace}(${pod.uid})`);
}

/** "a", "a and b", "a, b and c". */
function words(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

function unique(xs: readonly number[]): number[] {
  return [...new Set(xs)];
}

/**
 * Decides, per field, whether the runner honours a container's security
 * settings, refuses the container, or runs it and records a note. Pure: a
 * function of the settings, who the runner is, what its launch can do and
 * the host's accounts. The table in docs/security-context.md is this
 * function in words; its tests are test/unit/runner/security/.
 */
export function decideSecurity(
  sc: SecurityContext__Output | null | undefined,
  container: string,
  pod: PodIdentity,
  runner: RunnerIdentity,
  can: LaunchAbilities,
  accounts: HostAccounts,
): SecurityDecision {
  const s = sc ?? emptySettings();
  const refusals: string[] = [];
  const notes: SecurityNote[] = [];
  const podNotes: SecurityNote[] = [];
  const note = (field: string, message: string, warning = true): void => {
    notes.push({ field, reason: NOT_APPLIED, message, warning });
  };
  const launch: LaunchSecurity = { noNewPrivs: false };
  const cannotChange = can.changeIds
    ? ''
    : runner.uid === 0
      ? ' (setpriv from util-linux is needed to change it)'
      : '';

  // Identity: uid, then gid, then supplementary groups.
  let uid = runner.uid;
  if (s.runAsUser !== undefined && s.runAsUser !== runner.uid) {
    if (can.changeIds) uid = s.runAsUser;
    else
      refusals.push(
        `runAsUser ${s.runAsUser} cannot be honoured: the runner runs as uid ${runner.uid} and cannot change user${cannotChange}`,
      );
  }
  let gid = uid === runner.uid ? runner.gid : (accounts.primaryGid(uid) ?? runner.gid);
  if (s.runAsGroup !== undefined && s.runAsGroup !== gid) {
    if (can.changeIds) gid = s.runAsGroup;
    else
      refusals.push(
        `runAsGroup ${s.runAsGroup} cannot be honoured: the runner runs as gid ${runner.gid} and cannot change group${cannotChange}`,
      );
  }
  const extraGroups = unique([...s.supplementalGroups, ...(s.fsGroup !== undefined ? [s.fsGroup] : [])]);
  if (can.changeIds) {
    const changed = uid !== runner.uid || gid !== runner.gid || extraGroups.length > 0;
    if (changed) {
      const base = s.supplementalGroupsPolicy === 'Strict' ? [] : accounts.memberGroups(uid);
      launch.identity = { uid, gid, groups: unique([gid, ...base, ...extraGroups]) };
    }
  } else {
    const held = new Set([runner.gid, ...runner.groups]);
    const missing = s.supplementalGroups.filter((g) => !held.has(g));
    if (missing.length > 0)
      refusals.push(
        `supplementalGroups ${missing.join(', ')} cannot be honoured: the runner (uid ${runner.uid}) is not in ${missing.length === 1 ? 'that group' : 'those groups'} and cannot add groups`,
      );
  }

  // fsGroup: group ownership of the volume files, and a supplementary group.
  if (s.fsGroup !== undefined) {
    const member = can.changeIds || s.fsGroup === runner.gid || runner.groups.includes(s.fsGroup);
    if (can.chownFiles && member) {
      // Honoured: fileOwner carries the group for volume files.
    } else if (!member) {
      note(
        'fsGroup',
        `fsGroup ${s.fsGroup} is not applied: the runner (uid ${runner.uid}) is not in group ${s.fsGroup} and cannot add it; the container runs as uid ${uid}, which owns its volume files`,
      );
    } else {
      note(
        'fsGroup',
        `fsGroup ${s.fsGroup} is not applied to the volume files: this runner cannot change their group`,
      );
    }
  }

  // runAsNonRoot, worded as the kubelet words it.
  if (s.runAsNonRoot === true) {
    const where = `(pod: ${kubeletPod(pod)}, container: ${container})`;
    if (s.runAsUser === 0) refusals.push(`container's runAsUser breaks non-root policy ${where}`);
    else if (s.runAsUser === undefined && runner.uid === 0)
      refusals.push(`container has runAsNonRoot and image will run as root ${where}`);
  }

  decideCapabilities(s, runner, can, refusals, note, launch, uid);

  if (s.allowPrivilegeEscalation === false) {
    if (can.noNewPrivs) launch.noNewPrivs = true;
    else
      note(
        'allowPrivilegeEscalation',
        'allowPrivilegeEscalation: false is not enforced: no_new_privs cannot be set here (setpriv from util-linux is not installed)',
      );
  }
  if (s.readOnlyRootFilesystem === true)
    note(
      'readOnlyRootFilesystem',
      `readOnlyRootFilesystem: true is not enforced: the container runs on the host's file system and can write wherever uid ${uid} can`,
    );
  decideProfiles(s, refusals, note);

  // Pod-level settings: the host namespaces and sysctls.
  const shared = [
    { on: s.hostNetwork, field: 'hostNetwork', reason: 'HostNetworkShared', what: 'network' },
    { on: s.hostPid, field: 'hostPID', reason: 'HostPIDShared', what: 'PID' },
    { on: s.hostIpc, field: 'hostIPC', reason: 'HostIPCShared', what: 'IPC' },
  ].filter((x) => !x.on);
  if (shared.length > 0) {
    podNotes.push({
      field: shared.map((x) => x.field).join(','),
      reason: shared[0]!.reason,
      message: `${shared.map((x) => `${x.field}: false`).join(', ')} cannot be honoured: vk-cmd runs containers as host processes, so the pod shares the host's ${words(shared.map((x) => x.what))} namespace${shared.length > 1 ? 's' : ''}`,
      warning: false,
    });
  }
  if (s.sysctls.length > 0)
    podNotes.push({
      field: 'sysctls',
      reason: NOT_APPLIED,
      message: `sysctls ${s.sysctls.join(', ')} are not applied: pods share the host's kernel settings, which vk-cmd does not change`,
      warning: true,
    });

  const decision: SecurityDecision = {
    refusal: refusals.length > 0 ? refusals.join('; ') : undefined,
    notes,
    podNotes,
    launch,
  };
  if (can.chownFiles && (uid !== runner.uid || gid !== runner.gid)) decision.fileOwner = { uid, gid };
  if (
    can.chownFiles &&
    s.fsGroup !== undefined &&
    (can.changeIds || runner.groups.includes(s.fsGroup) || s.fsGroup === runner.gid)
  )
    decision.fsGroup = s.fsGroup;
  return decision;
}

function decideCapabilities(
  s: SecurityContext__Output,
  runner: RunnerIdentity,
  can: LaunchAbilities,
  refusals: string[],
  note: (field: string, message: string, warning?: boolean) => void,
  launch: LaunchSecurity,
  uid: number,
): void {
  const add = capabilityMask(s.capabilitiesAdd);
  const drop = capabilityMask(s.capabilitiesDrop);
  const unknown = [...add.unknown, ...drop.unknown];
  if (unknown.length > 0) refusals.push(`capabilities ${unknown.join(', ')} are not Linux capabilities`);
  if (s.privileged === true) {
    if (runner.capabilities === 0n)
      note(
        'privileged',
        `privileged: true grants nothing here: the runner runs as uid ${runner.uid} without capabilities, so the container has that user's rights only`,
        false,
      );
    return; // A privileged container keeps every capability the runner has.
  }
  if (runner.capabilities === 0n) {
    // Nothing to drop; nothing to grant.
    if (add.mask !== 0n)
      note(
        'capabilities.add',
        `capabilities.add ${s.capabilitiesAdd.join(', ')} cannot be granted: the runner runs as uid ${runner.uid} without capabilities`,
      );
    return;
  }
  const wanted = (capabilityMask(DEFAULT_CAPABILITIES).mask | add.mask) & ~drop.mask;
  if (can.limitCapabilities) {
    launch.capabilities = wanted & runner.capabilities;
    // A non-root uid loses its permitted set on exec; what it was explicitly given stays as ambient.
    const ambient = add.mask & launch.capabilities;
    if (uid !== 0 && ambient !== 0n) launch.ambientCapabilities = ambient;
    const lacking = wanted & ~runner.capabilities;
    if ((add.mask & lacking) !== 0n)
      note(
        'capabilities.add',
        `capabilities.add ${capabilityNames(add.mask & lacking).join(', ')} cannot be granted: the runner does not hold ${capabilityNames(add.mask & lacking).length === 1 ? 'it' : 'them'}`,
      );
    return;
  }
  if (drop.mask !== 0n) {
    refusals.push(
      `capabilities.drop ${s.capabilitiesDrop.join(', ')} cannot be honoured: the runner (uid ${runner.uid}) holds capabilities and cannot limit a container's (setpriv from util-linux is needed)`,
    );
    return;
  }
  note(
    'capabilities',
    `capabilities are not limited to the default set: the runner (uid ${runner.uid}) cannot limit them (setpriv from util-linux is needed), so the container has all of the runner's`,
  );
}

function decideProfiles(
  s: SecurityContext__Output,
  refusals: string[],
  note: (field: string, message: string) => void,
): void {
  const profiles = [
    {
      field: 'seccompProfile',
      what: 'seccomp filters',
      type: s.seccompProfileType,
      local: s.seccompLocalhostProfile,
    },
    {
      field: 'appArmorProfile',
      what: 'AppArmor profiles',
      type: s.appArmorProfileType,
      local: s.appArmorLocalhostProfile,
    },
  ];
  for (const p of profiles) {
    if (p.type === '' || p.type === 'Unconfined') continue;
    if (p.type === 'Localhost')
      refusals.push(
        `${p.field} Localhost ${JSON.stringify(p.local)} cannot be honoured: vk-cmd applies no ${p.what}`,
      );
    else note(p.field, `${p.field} ${p.type} is not applied: vk-cmd runs processes without ${p.what}`);
  }
  if (s.seLinuxOptions !== '')
    note(
      'seLinuxOptions',
      `seLinuxOptions ${s.seLinuxOptions} are not applied: processes keep the runner's SELinux context`,
    );
  if (s.windowsHostProcess)
    refusals.push('windowsOptions.hostProcess cannot be honoured: this is a Linux node');
  else if (s.windowsOptions.length > 0)
    note('windowsOptions', `windowsOptions (${s.windowsOptions.join(', ')}) do not apply on a Linux node`);
}

/** Settings of a container whose kubelet sent none: nothing asked, host namespaces not requested. */
export function emptySettings(): SecurityContext__Output {
  return {
    supplementalGroups: [],
    supplementalGroupsPolicy: '',
    capabilitiesAdd: [],
    capabilitiesDrop: [],
    seccompProfileType: '',
    seccompLocalhostProfile: '',
    appArmorProfileType: '',
    appArmorLocalhostProfile: '',
    seLinuxOptions: '',
    procMount: '',
    sysctls: [],
    windowsOptions: [],
    windowsHostProcess: false,
    hostNetwork: false,
    hostPid: false,
    hostIpc: false,
  };
}
