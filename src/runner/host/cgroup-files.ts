import type { ContainerLimits } from '../process/container-limiter.js';

/** The CFS period Kubernetes uses (100 ms). */
export const CPU_PERIOD_US = 100_000;
/** The smallest quota the kernel accepts, as Kubernetes' MinQuotaPeriod. */
const MIN_QUOTA_US = 1_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

/** CFS quota for a CPU limit, as the kubelet's milliCPUToQuota. Pure. */
export function cpuQuotaUs(milliCpu: number, periodUs = CPU_PERIOD_US): number {
  return Math.max(MIN_QUOTA_US, Math.floor((milliCpu * periodUs) / 1000));
}

/** cpu.shares for a CPU request, as the kubelet's milliCPUToShares. Pure. */
export function cpuShares(milliCpu: number): number {
  if (milliCpu <= 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milliCpu * 1024) / 1000)));
}

/** cpu.weight (v2) for cpu.shares, as runc converts them. Pure. */
export function cpuWeight(shares: number): number {
  return 1 + Math.floor(((shares - MIN_SHARES) * 9999) / 262_142);
}

/** A control file to write: `optional` ones may be missing (no swap accounting, older kernels). */
export interface ControlWrite {
  file: string;
  value: string;
  optional?: boolean;
}

/** The writes that set a v2 container cgroup's limits. Pure. */
export function v2LimitWrites(limits: ContainerLimits, cpu: boolean): ControlWrite[] {
  const out: ControlWrite[] = [];
  if (limits.memoryLimitBytes > 0) {
    out.push({ file: 'memory.max', value: String(limits.memoryLimitBytes) });
    // No swapping past the limit: the OOM killer acts at it, as on a kubelet without swap.
    out.push({ file: 'memory.swap.max', value: '0', optional: true });
    // The whole container goes, as Kubernetes 1.28+ has it on cgroup v2.
    out.push({ file: 'memory.oom.group', value: '1', optional: true });
  }
  if (cpu && limits.cpuLimitMillis > 0) {
    out.push({ file: 'cpu.max', value: `${cpuQuotaUs(limits.cpuLimitMillis)} ${CPU_PERIOD_US}` });
  }
  if (cpu && limits.cpuRequestMillis > 0) {
    out.push({ file: 'cpu.weight', value: String(cpuWeight(cpuShares(limits.cpuRequestMillis))) });
  }
  return out;
}

/** The writes that set a v1 container's memory cgroup. Pure. */
export function v1MemoryWrites(limits: ContainerLimits): ControlWrite[] {
  if (limits.memoryLimitBytes <= 0) return [];
  const bytes = String(limits.memoryLimitBytes);
  // memsw (memory + swap) must not be below the memory limit, so it is written after it.
  return [
    { file: 'memory.limit_in_bytes', value: bytes },
    { file: 'memory.memsw.limit_in_bytes', value: bytes, optional: true },
  ];
}

/** The writes that set a v1 container's cpu cgroup. Pure. */
export function v1CpuWrites(limits: ContainerLimits): ControlWrite[] {
  const out: ControlWrite[] = [];
  if (limits.cpuLimitMillis > 0) {
    out.push({ file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US) });
    out.push({ file: 'cpu.cfs_quota_us', value: String(cpuQuotaUs(limits.cpuLimitMillis)) });
  }
  if (limits.cpuRequestMillis > 0) {
    out.push({ file: 'cpu.shares', value: String(cpuShares(limits.cpuRequestMillis)) });
  }
  return out;
}

/** A `key value` line of a cgroup flat-keyed file (memory.events, memory.oom_control). Pure. */
export function flatKey(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * OOM kills a memory cgroup recorded. v2: `oom_kill` of memory.events. v1:
 * `oom_kill` of memory.oom_control (kernel 4.13+); older kernels only count
 * hits of the limit (memory.failcnt), taken as one kill when non-zero. Pure.
 */
export function oomKills(
  mode: 'v2' | 'v1',
  files: { events?: string; oomControl?: string; failcnt?: string },
): number {
  if (mode === 'v2') return flatKey(files.events, 'oom_kill') ?? 0;
  const kills = flatKey(files.oomControl, 'oom_kill');
  if (kills !== undefined) return kills;
  return Number(files.failcnt?.trim() ?? '0') > 0 ? 1 : 0;
}
