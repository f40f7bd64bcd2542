import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';

/** The cgroup hierarchy containers with limits run in: v2, v1 or none. */
export const CGROUP_MODE_ANNOTATION = 'vk-cmd.jiriaf.org/cgroup-mode';
/** cgroup (the kernel's OOM killer) or watchdog (the runner polls and kills). */
export const MEMORY_ENFORCEMENT_ANNOTATION = 'vk-cmd.jiriaf.org/memory-limit-enforcement';
/** cgroup (CFS quota) or none (CPU limits are not enforced on this node). */
export const CPU_ENFORCEMENT_ANNOTATION = 'vk-cmd.jiriaf.org/cpu-limit-enforcement';
/** Why there are no cgroups, as the runner says. */
export const LIMITS_NOTE_ANNOTATION = 'vk-cmd.jiriaf.org/limits-note';

export type LimitFacts = Pick<
  NodeInfo__Output,
  'cgroupMode' | 'memoryLimitEnforcement' | 'cpuLimitEnforcement' | 'cgroupNote'
>;

/**
 * The Node's annotations saying how the runner enforces limits; none
 * before the runner told (or when it is too old to tell); the note is
 * removed (null) when there is nothing to note. Pure.
 */
export function limitAnnotations(info: Partial<LimitFacts> | undefined): Record<string, string | null> {
  if (!info?.cgroupMode) return {};
  const value = (v: string | undefined): string | null => (v ? v : null);
  return {
    [CGROUP_MODE_ANNOTATION]: value(info?.cgroupMode),
    [MEMORY_ENFORCEMENT_ANNOTATION]: value(info?.memoryLimitEnforcement),
    [CPU_ENFORCEMENT_ANNOTATION]: value(info?.cpuLimitEnforcement),
    [LIMITS_NOTE_ANNOTATION]: value(info?.cgroupMode === 'none' ? info.cgroupNote : undefined),
  };
}
