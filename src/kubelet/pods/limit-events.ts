import type { WirePod } from '../kube/wire-types.js';
import type { LimitFacts } from '../node/limit-annotations.js';
import type { PodEvent } from './event-recorder.js';

export const CPU_LIMIT_NOT_ENFORCED_REASON = 'CPULimitNotEnforced';

function why(info: Partial<LimitFacts>): string {
  if (info.cgroupMode !== 'none') return 'no writable cgroup for the cpu controller';
  return info.cgroupNote?.includes('--cgroups=none')
    ? 'cgroups are turned off (--cgroups=none)'
    : 'no writable cgroup';
}

/**
 * The one warning a pod gets when its CPU limits cannot be enforced on this
 * node (the runner has no cgroup for them); none when they are, or when
 * the runner did not say. Memory limits are always enforced (by a cgroup or
 * the runner's watchdog). Pure.
 */
export function unenforcedLimitEvents(pod: WirePod, info: Partial<LimitFacts> | undefined): PodEvent[] {
  if (info?.cpuLimitEnforcement !== 'none') return [];
  const limited = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
    .map((c) => ({ name: c.name, cpu: c.resources?.limits?.['cpu'] }))
    .filter((c): c is { name: string; cpu: string } => c.cpu !== undefined && String(c.cpu) !== '0');
  if (limited.length === 0) return [];
  const message =
    limited.length === 1
      ? `cpu limit ${limited[0]!.cpu} is not enforced on this node: ${why(info)}`
      : `cpu limits are not enforced on this node: ${why(info)} (${limited.map((c) => `${c.name}: ${c.cpu}`).join(', ')})`;
  return [{ type: 'Warning', reason: CPU_LIMIT_NOT_ENFORCED_REASON, message }];
}
