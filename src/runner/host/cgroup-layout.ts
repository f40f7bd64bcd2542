import path from 'node:path';
import type { LimitEnforcement } from '../process/container-limiter.js';
import type { CgroupPlan } from './cgroups-detect.js';

/** The directory the runner creates under the chosen parent; everything below it is the runner's. */
export const CGROUP_DIR_NAME = 'vk-cmd';
/** The leaf the processes of a delegated v2 parent move into (the runner itself). */
export const RUNNER_LEAF_NAME = 'vk-cmd-runner';

/** A root the containers' cgroups live in, and the hierarchy it belongs to. */
export interface CgroupRoot {
  dir: string;
  kind: 'v2' | 'memory' | 'cpu';
}

/**
 * What a plan enforces and how: memory by cgroup or by the runner's
 * watchdog, CPU by cgroup or not at all (`cpuBroken`: the cpu controller
 * could not be enabled on v2). Pure.
 */
export function enforcementOf(plan: CgroupPlan, cpuBroken: boolean): LimitEnforcement {
  switch (plan.mode) {
    case 'none':
      return { cgroupMode: 'none', memory: 'watchdog', cpu: 'none', root: '', note: plan.note };
    case 'v2':
      return {
        cgroupMode: 'v2',
        memory: 'cgroup',
        cpu: plan.cpu && !cpuBroken ? 'cgroup' : 'none',
        root: path.join(plan.parentDir, CGROUP_DIR_NAME),
        note: plan.cpu && !cpuBroken ? '' : 'the cpu controller is not available in the cgroup',
      };
    case 'v1':
      return {
        cgroupMode: 'v1',
        memory: 'cgroup',
        cpu: plan.cpuParentDir ? 'cgroup' : 'none',
        root: path.join(plan.parentDir, CGROUP_DIR_NAME),
        note: plan.cpuParentDir ? '' : 'no writable cgroup in the cpu hierarchy',
      };
  }
}

/** The roots containers' cgroups live in: one (v2), or the memory and cpu hierarchies' (v1); none without cgroups. Pure. */
export function cgroupRoots(p: CgroupPlan): CgroupRoot[] {
  if (p.mode === 'v2') return [{ dir: path.join(p.parentDir, CGROUP_DIR_NAME), kind: 'v2' }];
  if (p.mode === 'v1') {
    const out: CgroupRoot[] = [{ dir: path.join(p.parentDir, CGROUP_DIR_NAME), kind: 'memory' }];
    if (p.cpuParentDir) out.push({ dir: path.join(p.cpuParentDir, CGROUP_DIR_NAME), kind: 'cpu' });
    return out;
  }
  return [];
}
