import { expect } from 'chai';
import type { SecurityContext__Output } from '../../../../src/generated/vkcmd/runner/v1/SecurityContext.js';
import {
  ownedDir,
  ownedFileMode,
  ownerOf,
  type PodFileOwnership,
} from '../../../../src/runner/files/file-ownership.js';
import { planPod } from '../../../../src/runner/pods/pod-plan.js';
import { capabilityMask, DEFAULT_CAPABILITIES } from '../../../../src/runner/security/capabilities.js';
import type { HostSecurity } from '../../../../src/runner/security/host-security.js';
import { launchAbilities } from '../../../../src/runner/security/host-security.js';
import { emptySettings } from '../../../../src/runner/security/security-decision.js';
import { container, pod } from '../files/volume-plan.test.js';

const SETPRIV = '/usr/bin/setpriv';
const DEFAULT_CAPS = capabilityMask(DEFAULT_CAPABILITIES).mask;
const DEFAULT_BOUNDING = `--bounding-set=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap`;

function rootHost(setpriv: string | undefined): HostSecurity {
  return {
    runner: { uid: 0, gid: 0, groups: [0], capabilities: DEFAULT_CAPS | (1n << 21n) },
    can: launchAbilities(0, setpriv !== undefined),
    accounts: { primaryGid: (u) => (u === 65534 ? 65534 : undefined), memberGroups: () => [] },
    setpriv,
  };
}

function settings(over: Partial<SecurityContext__Output>): SecurityContext__Output {
  return { ...emptySettings(), hostNetwork: true, hostPid: true, hostIpc: true, ...over };
}

function planWith(sc: Partial<SecurityContext__Output>, host: HostSecurity) {
  const spec = pod({
    containers: [
      container({ name: 'c1', command: ['id'], securityContext: settings(sc) }),
      container({ name: 'c2', command: ['id'], securityContext: settings({}) }),
    ],
  });
  return planPod(spec, '/r/ns/p1', host);
}

describe('launch plans carry the security decision (root runner)', () => {
  it('runAsUser: the program runs under setpriv with that identity and the default capabilities; logs and files go to it', () => {
    const plan = planWith({ runAsUser: 65534 }, rootHost(SETPRIV));
    const c1 = plan.containers[0]!.launch!;
    expect(c1.prefix).to.deep.equal([
      SETPRIV,
      '--reuid=65534',
      '--regid=65534',
      '--groups=65534',
      '--inh-caps=-all',
      DEFAULT_BOUNDING,
      '--',
    ]);
    expect(c1.argv).to.deep.equal(['id'], 'argv stays the program: the launcher resolves it');
    expect(c1.fileOwner).to.deep.equal({ uid: 65534, gid: 65534 });
    expect(plan.ownership).to.deep.equal({
      containers: new Map([['containers/c1', { uid: 65534, gid: 65534, groupAccess: false }]]),
      emptyDirGid: undefined,
    });
    // c2 asks nothing: it stays root, with the default capabilities only.
    const c2 = plan.containers[1]!.launch!;
    expect(c2.prefix).to.deep.equal([SETPRIV, '--inh-caps=-all', DEFAULT_BOUNDING, '--']);
    expect(c2.fileOwner).to.equal(undefined);
  });

  it('fsGroup: the container keeps its uid, its files get the group', () => {
    const plan = planWith({ fsGroup: 4321 }, rootHost(SETPRIV));
    expect(plan.containers[0]!.launch!.prefix!.slice(0, 4)).to.deep.equal([
      SETPRIV,
      '--reuid=0',
      '--regid=0',
      '--groups=0,4321',
    ]);
    expect(plan.ownership!.containers.get('containers/c1')).to.deep.equal({
      uid: 0,
      gid: 4321,
      groupAccess: true,
    });
    expect(plan.ownership!.emptyDirGid).to.equal(4321);
  });

  it('without setpriv: runAsUser is refused, so there is no prefix and nothing changes owner', () => {
    const plan = planWith({ runAsUser: 65534 }, rootHost(undefined));
    expect(plan.containers[0]!.security!.refusal).to.match(/setpriv from util-linux is needed/);
    expect(plan.containers[0]!.launch!.prefix).to.equal(undefined);
    expect(plan.containers[1]!.launch!.prefix).to.equal(undefined);
    expect(plan.ownership).to.equal(undefined);
  });
});

describe('file ownership of a pod whose containers run as other users', () => {
  const ownership: PodFileOwnership = {
    containers: new Map([
      ['containers/c1', { uid: 65534, gid: 65534, groupAccess: false }],
      ['containers/c2', { uid: 1, gid: 4321, groupAccess: true }],
    ]),
    emptyDirGid: 4321,
  };

  it('entries below a container directory belong to its owner; others stay the runner', () => {
    expect(ownerOf(ownership, 'containers/c1/job/run.sh')?.uid).to.equal(65534);
    expect(ownerOf(ownership, 'containers/c10/x')).to.equal(undefined);
    expect(ownerOf(ownership, 'volumes/v')).to.equal(undefined);
  });

  it('modes: the container directory 0750, group access with setgid for fsGroup, emptyDirs 0777', () => {
    expect(ownedDir(ownership, 'containers/c1', 0o755)).to.deep.equal({
      uid: 65534,
      gid: 65534,
      mode: 0o750,
    });
    expect(ownedDir(ownership, 'containers/c1/job', 0o755)).to.deep.equal({
      uid: 65534,
      gid: 65534,
      mode: 0o755,
    });
    expect(ownedDir(ownership, 'containers/c2', 0o755)).to.deep.equal({ uid: 1, gid: 4321, mode: 0o2750 });
    expect(ownedDir(ownership, 'volumes/scratch', 0o755)).to.deep.equal({ uid: -1, gid: 4321, mode: 0o2777 });
    expect(ownedDir({ containers: ownership.containers }, 'volumes/scratch', 0o755)).to.deep.equal({
      uid: -1,
      gid: -1,
      mode: 0o777,
    });
    expect(ownedDir(ownership, 'volumes', 0o755)).to.equal(undefined);
    expect(ownedDir(ownership, 'containers', 0o755)).to.equal(undefined);
  });

  it('files: group read (and execute where the owner has it) only with fsGroup', () => {
    const c1 = ownership.containers.get('containers/c1')!;
    const c2 = ownership.containers.get('containers/c2')!;
    expect(ownedFileMode(0o600, c1)).to.equal(0o600);
    expect(ownedFileMode(0o600, c2)).to.equal(0o640);
    expect(ownedFileMode(0o700, c2)).to.equal(0o750);
  });
});
