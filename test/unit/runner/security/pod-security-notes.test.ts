import { expect } from 'chai';
import { decideSecurity } from '../../../../src/runner/security/security-decision.js';
import { accounts, decide, itDecides, none, pod, user, type Row } from './security-fixtures.js';

const rows: Row[] = [
  {
    name: 'sysctls: noted for the pod',
    settings: { sysctls: ['a.b=1'] },
    runner: user,
    can: none,
    noted: ['sysctls'],
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

describe('decideSecurity: pod-level notes', () => {
  itDecides(rows);

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
});
