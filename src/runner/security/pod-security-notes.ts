import type { SecurityContext__Output } from '../../generated/vkcmd/runner/v1/SecurityContext.js';
import { NOT_APPLIED, type SecurityNote } from './security-types.js';

/** "a", "a and b", "a, b and c". */
function words(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/**
 * The pod-level settings a container's pod runs without, the same for every
 * container of the pod: host namespaces not requested (one note, a Normal
 * event: containers are host processes and share them all) and sysctls
 * (a warning: the host's kernel settings are never changed). Pure.
 */
export function podSecurityNotes(s: SecurityContext__Output): SecurityNote[] {
  const podNotes: SecurityNote[] = [];
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
  return podNotes;
}
