import { capabilityNames } from './capabilities.js';
import type { LaunchSecurity } from './security-types.js';

function capList(mask: bigint): string[] {
  return capabilityNames(mask).map((n) => `+${n.toLowerCase()}`);
}

/**
 * The setpriv(1) (util-linux) options that give a process what `launch`
 * decided, to put before `-- program args...`; empty when nothing changes
 * (the process runs as the runner). Groups are always given explicitly
 * (never --init-groups). The inheritable set is cleared whenever
 * capabilities are limited, so nothing outside the bounding set survives an
 * exec as root; a process that becomes another uid loses its permitted and
 * effective capabilities on exec, as a non-root container's do, except the
 * ambient ones (which must also be inheritable). Pure.
 */
export function setprivArgs(launch: LaunchSecurity): string[] {
  const out: string[] = [];
  if (launch.identity) {
    const { uid, gid, groups } = launch.identity;
    out.push(
      `--reuid=${uid}`,
      `--regid=${gid}`,
      groups.length > 0 ? `--groups=${groups.join(',')}` : '--clear-groups',
    );
  }
  if (launch.capabilities !== undefined) {
    const ambient = launch.ambientCapabilities ?? 0n;
    out.push(`--inh-caps=${['-all', ...capList(ambient)].join(',')}`);
    if (ambient !== 0n) out.push(`--ambient-caps=${['-all', ...capList(ambient)].join(',')}`);
    out.push(`--bounding-set=${['-all', ...capList(launch.capabilities)].join(',')}`);
  }
  if (launch.noNewPrivs) out.push('--no-new-privs');
  return out;
}
