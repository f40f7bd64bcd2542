import { expect } from 'chai';
import {
  decide,
  itDecides,
  none,
  root,
  setpriv,
  user,
  userSetpriv,
  DEFAULT_MASK,
  type Row,
} from './security-fixtures.js';

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
    name: 'procMount Default: honoured (host /proc)',
    settings: { procMount: 'Default' },
    runner: user,
    can: none,
  },
];

describe('decideSecurity', () => {
  itDecides(rows);

  it('several refusals are reported together', () => {
    const d = decide({ runAsUser: 1234, seccompProfileType: 'Localhost' }, user, none);
    expect(d.refusal).to.equal(
      'runAsUser 1234 cannot be honoured: the runner runs as uid 1000 and cannot change user; seccompProfile Localhost "" cannot be honoured: vk-cmd applies no seccomp filters',
    );
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
