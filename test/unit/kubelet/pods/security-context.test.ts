import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { effectiveSecurityContext } from '../../../../src/kubelet/pods/security-context.js';

function pod(spec: Partial<NonNullable<WirePod['spec']>>, annotations: Record<string, string> = {}): WirePod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', annotations },
    spec: { containers: [{ name: 'c1' }], ...spec },
  };
}

const defaults = {
  hostNetwork: false,
  hostPid: false,
  hostIpc: false,
  supplementalGroups: [],
  supplementalGroupsPolicy: '',
  sysctls: [],
  capabilitiesAdd: [],
  capabilitiesDrop: [],
  procMount: '',
};

describe('effectiveSecurityContext', () => {
  it('nothing set: only the host namespaces (not requested)', () => {
    const p = pod({});
    expect(effectiveSecurityContext(p, p.spec!.containers[0]!)).to.deep.equal(defaults);
  });

  it("the container's runAsUser, runAsGroup and runAsNonRoot win over the pod's, field by field", () => {
    const p = pod({ securityContext: { runAsUser: 1, runAsGroup: 2, runAsNonRoot: true } });
    expect(effectiveSecurityContext(p, { name: 'c1', securityContext: { runAsUser: 10 } })).to.deep.equal({
      ...defaults,
      runAsUser: 10,
      runAsGroup: 2,
      runAsNonRoot: true,
    });
    expect(
      effectiveSecurityContext(p, { name: 'c1', securityContext: { runAsNonRoot: false } }).runAsNonRoot,
    ).to.equal(false);
  });

  it('pod-only fields: supplementalGroups, fsGroup, sysctls and the host namespaces', () => {
    const p = pod({
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      securityContext: {
        supplementalGroups: [5, 6],
        supplementalGroupsPolicy: 'Strict',
        fsGroup: 7,
        sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
      },
    });
    expect(effectiveSecurityContext(p, p.spec!.containers[0]!)).to.deep.equal({
      ...defaults,
      hostNetwork: true,
      hostPid: true,
      hostIpc: true,
      supplementalGroups: [5, 6],
      supplementalGroupsPolicy: 'Strict',
      fsGroup: 7,
      sysctls: ['net.core.somaxconn=1024'],
    });
  });

  it('container-only fields: privileged, allowPrivilegeEscalation, capabilities, readOnlyRootFilesystem, procMount', () => {
    const p = pod({});
    const sc = effectiveSecurityContext(p, {
      name: 'c1',
      securityContext: {
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        procMount: 'Default',
      },
    });
    expect(sc).to.deep.equal({
      ...defaults,
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilitiesAdd: ['NET_ADMIN'],
      capabilitiesDrop: ['ALL'],
      readOnlyRootFilesystem: true,
      procMount: 'Default',
    });
  });

  it("seccomp and AppArmor: the container's profile, else the pod's; AppArmor's legacy annotation before the pod's", () => {
    const p = pod(
      {
        securityContext: {
          seccompProfile: { type: 'RuntimeDefault' },
          appArmorProfile: { type: 'RuntimeDefault' },
        },
      },
      { 'container.apparmor.security.beta.kubernetes.io/c1': 'localhost/k8s-x' },
    );
    const sc = effectiveSecurityContext(p, {
      name: 'c1',
      securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'a.json' } },
    });
    expect([sc.seccompProfileType, sc.seccompLocalhostProfile]).to.deep.equal(['Localhost', 'a.json']);
    expect([sc.appArmorProfileType, sc.appArmorLocalhostProfile]).to.deep.equal(['Localhost', 'k8s-x']);
    const other = effectiveSecurityContext(p, { name: 'c2' });
    expect([other.seccompProfileType, other.appArmorProfileType]).to.deep.equal([
      'RuntimeDefault',
      'RuntimeDefault',
    ]);
  });

  it("seLinuxOptions: the container's whole, else the pod's; windowsOptions merge per field", () => {
    const p = pod({
      securityContext: {
        seLinuxOptions: { level: 's0:c1' },
        windowsOptions: { runAsUserName: 'x', hostProcess: true },
      },
    });
    const sc = effectiveSecurityContext(p, {
      name: 'c1',
      securityContext: { seLinuxOptions: { type: 't' }, windowsOptions: { gmsaCredentialSpecName: 'g' } },
    });
    expect(sc.seLinuxOptions).to.equal('::t:');
    expect(sc.windowsOptions).to.deep.equal(['gmsaCredentialSpecName', 'hostProcess', 'runAsUserName']);
    expect(sc.windowsHostProcess).to.equal(true);
    expect(effectiveSecurityContext(p, { name: 'c2' }).seLinuxOptions).to.equal(':::s0:c1');
  });
});
