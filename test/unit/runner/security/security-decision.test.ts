import { expect } from 'chai';
import type { SecurityContext__Output } from '../../../../src/generated/vkcmd/runner/v1/SecurityContext.js';
import { capabilityMask, DEFAULT_CAPABILITIES } from '../../../../src/runner/security/capabilities.js';
import {
  decideSecurity,
  emptySettings,
  type HostAccounts,
  type LaunchAbilities,
  type RunnerIdentity,
  type SecurityDecision,
} from '../../../../src/runner/security/security-decision.js';

const pod = { name: 'p', namespace: 'ns', uid: 'u1' };
const ALL_CAPS = 0x1fffeffffffn;
const DEFAULT_MASK = capabilityMask(DEFAULT_CAPABILITIES).mask;

const user: RunnerIdentity = { uid: 1000, gid: 1000, groups: [1000, 2000], capabilities: 0n };
const root: RunnerIdentity = { uid: 0, gid: 0, groups: [0], capabilities: ALL_CAPS };
const none: LaunchAbilities = {
  changeIds: false,
  limitCapabilities: false,
  noNewPrivs: false,
  chownFiles: false,
};
const setpriv: LaunchAbilities = {
  changeIds: true,
  limitCapabilities: true,
  noNewPrivs: true,
  chownFiles: true,
};
const userSetpriv: LaunchAbilities = {
  changeIds: false,
  limitCapabilities: false,
  noNewPrivs: true,
  chownFiles: true,
};
const accounts: HostAccounts = {
  primaryGid: (uid) => (uid === 65534 ? 65534 : undefined),
  memberGroups: (uid) => (uid === 65534 ? [100] : []),
};

function sc(over: Partial<SecurityContext__Output>): SecurityContext__Output {
  // The host namespaces are requested in every row but their own, so each row shows one field.
  return { ...emptySettings(), hostNetwork: true, hostPid: true, hostIpc: true, ...over };
}

function decide(
  over: Partial<SecurityContext__Output>,
  runner: RunnerIdentity,
  can: LaunchAbilities,
): SecurityDecision {
  return decideSecurity(sc(over), 'c1', pod, runner, can, accounts);
}

interface Row {
  name: string;
  settings: Partial<SecurityContext__Output>;
  runner: RunnerIdentity;
  can: LaunchAbilities;
  /** The refusal message, or undefined when the container runs. */
  refusal?: string | undefined;
  /** Fields noted (container and pod notes). */
  noted?: string[];
  launch?: SecurityDecision['launch'];
}

const rows: Row[] = [
  // Identity.
  {
    name: 'runAsUser of the runner itself: honoured, nothing changes',
    settings: { runAsUser: 1000 },
    runner: user,
    can: none,
    launch: { noNewPrivs: false },
  },
  {
    name: 'runAsUser 1234 with a non-root runner: refused',
    settings: { runAsUser: 1234 },
    runner: user,
    can: none,
    refusal: 'runAsUser 1234 cannot be honoured: the runner runs as uid 1000 and cannot change user',
  },
  {
    name: 'runAsUser with a root runner that cannot change ids: refused, saying what is missing',
    settings: { runAsUser: 65534 },
    runner: root,
    can: none,
    refusal:
      'runAsUser 65534 cannot be honoured: the runner runs as uid 0 and cannot change user (setpriv from util-linux is needed to change it)',

    noted: ['capabilities'],
  },
  {
    name: 'runAsUser with a root runner: honoured with the passwd group and memberships',
    settings: { runAsUser: 65534 },
    runner: root,
    can: setpriv,
    launch: {
      identity: { uid: 65534, gid: 65534, groups: [65534, 100] },
      capabilities: DEFAULT_MASK,
      noNewPrivs: false,
    },
  },
  {
    name: 'runAsUser, runAsGroup, supplementalGroups and fsGroup with a root runner',
    settings: { runAsUser: 1234, runAsGroup: 5678, supplementalGroups: [7, 8], fsGroup: 9 },
    runner: root,
    can: setpriv,
    launch: {
      identity: { uid: 1234, gid: 5678, groups: [5678, 7, 8, 9] },
      capabilities: DEFAULT_MASK,
      noNewPrivs: false,
    },
  },
  {
    name: 'supplementalGroupsPolicy Strict leaves out the host memberships',
    settings: { runAsUser: 65534, supplementalGroupsPolicy: 'Strict' },
    runner: root,
    can: setpriv,
    launch: {
      identity: { uid: 65534, gid: 65534, groups: [65534] },
      capabilities: DEFAULT_MASK,
      noNewPrivs: false,
    },
  },
  {
    name: 'runAsGroup with a non-root runner: refused',
    settings: { runAsGroup: 5 },
    runner: user,
    can: none,
    refusal: 'runAsGroup 5 cannot be honoured: the runner runs as gid 1000 and cannot change group',
  },
  {
    name: 'supplementalGroups the non-root runner is in: honoured',
    settings: { supplementalGroups: [2000] },
    runner: user,
    can: none,
  },
  {
    name: 'supplementalGroups the non-root runner is not in: refused',
    settings: { supplementalGroups: [2000, 3000] },
    runner: user,
    can: none,
    refusal:
      'supplementalGroups 3000 cannot be honoured: the runner (uid 1000) is not in that group and cannot add groups',
  },
  // runAsNonRoot, worded as the kubelet words it.
  {
    name: 'runAsNonRoot with a root runner and no runAsUser: refused as the kubelet does',
    settings: { runAsNonRoot: true },
    runner: root,
    can: setpriv,
    refusal: 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c1)',
  },
  {
    name: 'runAsNonRoot with runAsUser 0: refused as the kubelet does',
    settings: { runAsNonRoot: true, runAsUser: 0 },
    runner: root,
    can: setpriv,
    refusal: 'container\'s runAsUser breaks non-root policy (pod: "p_ns(u1)", container: c1)',
  },
  {
    name: 'runAsNonRoot with a root runner and runAsUser 65534: honoured',
    settings: { runAsNonRoot: true, runAsUser: 65534 },
    runner: root,
    can: setpriv,
  },
  {
    name: 'runAsNonRoot with a non-root runner: honoured (runs as 1000)',
    settings: { runAsNonRoot: true },
    runner: user,
    can: none,
    launch: { noNewPrivs: false },
  },
  // Capabilities.
  {
    name: 'not privileged, root runner: the default set',
    settings: {},
    runner: root,
    can: setpriv,
    launch: { capabilities: DEFAULT_MASK, noNewPrivs: false },
  },
  {
    name: 'add and drop change the default set; CAP_ prefix and case do not matter',
    settings: {
      privileged: false,
      capabilitiesAdd: ['cap_net_admin'],
      capabilitiesDrop: ['NET_RAW', 'KILL'],
    },
    runner: root,
    can: setpriv,
    launch: {
      capabilities: (DEFAULT_MASK | (1n << 12n)) & ~((1n << 13n) | (1n << 5n)),
      noNewPrivs: false,
    },
  },
  {
    name: 'a non-root uid keeps its added capabilities as ambient ones',
    settings: { runAsUser: 65534, capabilitiesAdd: ['NET_ADMIN'] },
    runner: root,
    can: setpriv,
    launch: {
      identity: { uid: 65534, gid: 65534, groups: [65534, 100] },
      capabilities: DEFAULT_MASK | (1n << 12n),
      ambientCapabilities: 1n << 12n,
      noNewPrivs: false,
    },
  },
  {
    name: 'uid 0 keeps the whole bounding set: no ambient capabilities',
    settings: { runAsUser: 0, capabilitiesAdd: ['NET_ADMIN'] },
    runner: root,
    can: setpriv,
    launch: { capabilities: DEFAULT_MASK | (1n << 12n), noNewPrivs: false },
  },
  {
    name: 'drop ALL: no capabilities',
    settings: { capabilitiesDrop: ['ALL'] },
    runner: root,
    can: setpriv,
    launch: { capabilities: 0n, noNewPrivs: false },
  },
  {
    name: 'add of a capability the runner does not hold: noted',
    settings: { capabilitiesAdd: ['SYS_RESOURCE'] },
    runner: root,
    can: setpriv,
    noted: ['capabilities.add'],
    launch: { capabilities: DEFAULT_MASK, noNewPrivs: false },
  },
  {
    name: 'an unknown capability: refused',
    settings: { capabilitiesAdd: ['FLY'] },
    runner: root,
    can: setpriv,
    refusal: 'capabilities FLY are not Linux capabilities',
  },
  {
    name: 'privileged with a root runner: every capability the runner has',
    settings: { privileged: true },
    runner: root,
    can: setpriv,
    launch: { noNewPrivs: false },
  },
  {
    name: 'privileged with a non-root runner: nothing to grant, noted',
    settings: { privileged: true },
    runner: user,
    can: none,
    noted: ['privileged'],
  },
  {
    name: 'capabilities.add with a non-root runner: cannot be granted, noted',
    settings: { capabilitiesAdd: ['NET_ADMIN'] },
    runner: user,
    can: none,
    noted: ['capabilities.add'],
  },
  {
    name: 'capabilities.drop with a non-root runner: nothing to drop, honoured',
    settings: { capabilitiesDrop: ['ALL'] },
    runner: user,
    can: none,
    launch: { noNewPrivs: false },
  },
  {
    name: 'a root runner that cannot limit capabilities: noted',
    settings: {},
    runner: root,
    can: none,
    noted: ['capabilities'],
  },
  {
    name: 'drop with a root runner that cannot limit capabilities: refused',
    settings: { capabilitiesDrop: ['ALL'] },
    runner: root,
    can: none,
    refusal:
      "capabilities.drop ALL cannot be honoured: the runner (uid 0) holds capabilities and cannot limit a container's (setpriv from util-linux is needed)",
  },
  // no_new_privs.
  {
    name: 'allowPrivilegeEscalation false: no_new_privs',
    settings: { allowPrivilegeEscalation: false },
    runner: user,
    can: userSetpriv,
    launch: { noNewPrivs: true },
  },
  {
    name: 'allowPrivilegeEscalation false without setpriv: noted',
    settings: { allowPrivilegeEscalation: false },
    runner: user,
    can: none,
    noted: ['allowPrivilegeEscalation'],
  },
  // fsGroup.
  {
    name: 'fsGroup the non-root runner is in: honoured (group of the volume files)',
    settings: { fsGroup: 2000 },
    runner: user,
    can: userSetpriv,
  },
  {
    name: 'fsGroup the non-root runner is not in: noted',
    settings: { fsGroup: 3000 },
    runner: user,
    can: userSetpriv,
    noted: ['fsGroup'],
  },
  // Fields with no equivalent here.
  {
    name: 'readOnlyRootFilesystem: noted',
    settings: { readOnlyRootFilesystem: true },
    runner: user,
    can: none,
    noted: ['readOnlyRootFilesystem'],
  },
  {
    name: 'seccompProfile Unconfined: honoured',
    settings: { seccompProfileType: 'Unconfined' },
    runner: user,
    can: none,
  },
  {
    name: 'seccompProfile RuntimeDefault: noted',
    settings: { seccompProfileType: 'RuntimeDefault' },
    runner: user,
    can: none,
    noted: ['seccompProfile'],
  },
  {
    name: 'seccompProfile Localhost: refused',
    settings: { seccompProfileType: 'Localhost', seccompLocalhostProfile: 'profiles/a.json' },
    runner: user,
    can: none,
    refusal:
      'seccompProfile Localhost "profiles/a.json" cannot be honoured: vk-cmd applies no seccomp filters',
  },
  {
    name: 'appArmorProfile RuntimeDefault: noted',
    settings: { appArmorProfileType: 'RuntimeDefault' },
    runner: user,
    can: none,
    noted: ['appArmorProfile'],
  },
  {
    name: 'appArmorProfile Localhost: refused',
    settings: { appArmorProfileType: 'Localhost', appArmorLocalhostProfile: 'k8s-x' },
    runner: user,
    can: none,
    refusal: 'appArmorProfile Localhost "k8s-x" cannot be honoured: vk-cmd applies no AppArmor profiles',
  },
  {
    name: 'seLinuxOptions: noted',
    settings: { seLinuxOptions: ':::s0:c1,c2' },
    runner: user,
    can: none,
    noted: ['seLinuxOptions'],
  },
  {
    name: 'procMount Default: honoured (host /proc)',
    settings: { procMount: 'Default' },
    runner: user,
    can: none,
  },
  {
    name: 'sysctls: noted for the pod',
    settings: { sysctls: ['a.b=1'] },
    runner: user,
    can: none,
    noted: ['sysctls'],
  },
  {
    name: 'windowsOptions: noted',
    settings: { windowsOptions: ['runAsUserName'] },
    runner: user,
    can: none,
    noted: ['windowsOptions'],
  },
  {
    name: 'windowsOptions.hostProcess: refused',
    settings: { windowsOptions: ['hostProcess'], windowsHostProcess: true },
    runner: user,
    can: none,
    refusal: 'windowsOptions.hostProcess cannot be honoured: this is a Linux node',
  },
  // Host namespaces.
  {
    name: 'hostNetwork, hostPID and hostIPC false: one pod note',
    settings: { hostNetwork: false, hostPid: false, hostIpc: false },
    runner: user,
    can: none,
    noted: ['hostNetwork,hostPID,hostIPC'],
  },
  { name: 'hostNetwork true: honoured', settings: { hostNetwork: true }, runner: user, can: none },
];

describe('decideSecurity', () => {
  for (const row of rows) {
    it(row.name, () => {
      const d = decide(row.settings, row.runner, row.can);
      expect(d.refusal).to.equal(row.refusal);
      expect([...d.notes, ...d.podNotes].map((n) => n.field)).to.deep.equal(row.noted ?? []);
      if (row.launch) expect(d.launch).to.deep.equal(row.launch);
    });
  }

  it('several refusals are reported together', () => {
    const d = decide({ runAsUser: 1234, seccompProfileType: 'Localhost' }, user, none);
    expect(d.refusal).to.equal(
      'runAsUser 1234 cannot be honoured: the runner runs as uid 1000 and cannot change user; seccompProfile Localhost "" cannot be honoured: vk-cmd applies no seccomp filters',
    );
  });

  it('the default host namespaces give one HostNetworkShared note, a Normal event', () => {
    const d = decideSecurity(undefined, 'c1', pod, user, none, accounts);
    expect(d.podNotes).to.deep.equal([
      {
        field: 'hostNetwork,hostPID,hostIPC',
        reason: 'HostNetworkShared',
        message:
          "hostNetwork: false, hostPID: false, hostIPC: false cannot be honoured: vk-cmd runs containers as host processes, so the pod shares the host's network, PID and IPC namespaces",
        warning: false,
      },
    ]);
    expect(decide({ hostPid: false }, user, none).podNotes[0]!.reason).to.equal('HostPIDShared');
  });

  it('the files of a container that runs as another user get that owner, and fsGroup their group', () => {
    const d = decide({ runAsUser: 65534, fsGroup: 9 }, root, setpriv);
    expect(d.fileOwner).to.deep.equal({ uid: 65534, gid: 65534 });
    expect(d.fsGroup).to.equal(9);
    expect(decide({}, root, setpriv).fileOwner).to.equal(undefined);
    expect(decide({ runAsUser: 65534 }, root, { ...setpriv, chownFiles: false }).fileOwner).to.equal(
      undefined,
    );
  });
});
