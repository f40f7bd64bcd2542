import type { SecurityContext__Output } from '../../generated/vkcmd/runner/v1/SecurityContext.js';
import { decideCapabilities } from './capability-decision.js';
import { podSecurityNotes } from './pod-security-notes.js';
import { decideProfiles } from './profile-decision.js';
import {
  NOT_APPLIED,
  type HostAccounts,
  type LaunchAbilities,
  type LaunchSecurity,
  type PodIdentity,
  type RunnerIdentity,
  type SecurityDecision,
  type SecurityNote,
} from './security-types.js';

export type {
  HostAccounts,
  LaunchAbilities,
  LaunchSecurity,
  PodIdentity,
  RunnerIdentity,
  SecurityDecision,
  SecurityNote,
} from './security-types.js';

function kubeletPod(pod: PodIdentity): string {
  return JSON.stringify(`${pod.name}_${pod.namespace}(${pod.uid})`);
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
  const podNotes = podSecurityNotes(s);

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
