import { capabilityNames } from './capabilities.js';
import type { LaunchSecurity } from './security-decision.js';

/**
 * The setpriv(1) (util-linux) options that give a process what `launch`
 * decided, to put before `-- program args...`; empty when nothing changes
 * (the process runs as the runner). The inheritable set is cleared whenever
 * capabilities are limited, so nothing outside the bounding set survives an
 * exec as root; a process that becomes another uid loses its permitted and
 * effective capabilities on exec, as a non-root container's do. Pure.
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
    const keep = capabilityNames(launch.capabilities).map((n) => `+${n.toLowerCase()}`);
    out.push('--inh-caps=-all', `--bounding-set=${['-all', ...keep].join(',')}`);
  }
  if (launch.noNewPrivs) out.push('--no-new-privs');
  return out;
}
