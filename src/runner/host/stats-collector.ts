import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerStats } from '../../generated/vkcmd/runner/v1/ContainerStats.js';
import type { NodeStats } from '../../generated/vkcmd/runner/v1/NodeStats.js';
import type { PodStats } from '../../generated/vkcmd/runner/v1/PodStats.js';
import type { Stats } from '../../generated/vkcmd/runner/v1/Stats.js';
import type { VolumeStats } from '../../generated/vkcmd/runner/v1/VolumeStats.js';
import { isLogFileName, logFile } from '../files/container-dir.js';
import type { ContainerRecord } from '../pods/pod-record.js';
import type { ProcessScanner } from '../process/process-scanner.js';
import { NANOS_PER_TICK, type ProcEntry } from '../process/process-table.js';
import { LoopHoldBudget } from './loop-hold-budget.js';

/** Busy CPU ticks (all cores) and boot time from /proc/stat. Pure. */
export function parseProcStatCpu(text: string): { busyTicks: number; bootTimeSeconds: number } {
  let busyTicks = 0;
  let bootTimeSeconds = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
      busyTicks = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    } else if (line.startsWith('btime ')) {
      bootTimeSeconds = Number(line.split(/\s+/)[1]);
    }
  }
  return { busyTicks, bootTimeSeconds };
}

/** /proc/meminfo in bytes by key. Pure. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return out;
}

/** CPU and memory of one container's live processes from one scan. Pure; never 0 for a live container. */
export function groupUsage(
  members: readonly ProcEntry[],
  pageSizeBytes: number,
): { cpuNs: number; rssBytes: number; processes: number } {
  let ticks = 0;
  let pages = 0;
  for (const m of members) {
    // cutime/cstime carry the CPU of children these processes already waited for.
    ticks += m.utimeTicks + m.stimeTicks + m.cutimeTicks + m.cstimeTicks;
    pages += m.rssPages;
  }
  return {
    cpuNs: Math.max(1, Math.round(ticks * NANOS_PER_TICK)),
    rssBytes: Math.max(1, pages * pageSizeBytes),
    processes: members.length,
  };
}

const ROOTFS_CACHE_MS = 30_000;
const ROOTFS_MAX_ENTRIES = 2_000;
/**
 * Disk use is measured with blocking calls: a promise per stat cost about
 * 70 us of the runner's CPU each, 0.5 s for the 1,000 containers whose
 * measurements expire together, against a few us blocking. A collection
 * gives the event loop a turn whenever it has held it this long.
 */
const BLOCK_BUDGET_MS = 5;

/**
 * Bytes in the files under `dir` (at most ROOTFS_MAX_ENTRIES entries;
 * symlinks not followed), with blocking calls that pause when `budget` is due.
 */
async function dirBytes(dir: string, budget: LoopHoldBudget, skipLogs = true): Promise<number> {
  let total = 0;
  let seen = 0;
  const walk = async (d: string, top: boolean): Promise<void> => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      if (++seen > ROOTFS_MAX_ENTRIES) return;
      if (top && skipLogs && isLogFileName(name)) continue;
      if (budget.due()) await budget.pause();
      const full = path.join(d, name);
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(full, { throwIfNoEntry: false });
      } catch {
        continue; // unreadable: not counted
      }
      if (st?.isDirectory()) await walk(full, false);
      else if (st) total += st.size;
    }
  };
  await walk(dir, true);
  return total;
}

/** A file's size; 0 when it is missing or unreadable. Blocking. */
function sizeOf(file: string): number {
  try {
    return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

/** What stats reads of a pod: its identity and its containers' current runs. */
export interface StatsPod {
  readonly record: {
    readonly uid: string;
    readonly namespace: string;
    readonly name: string;
    /** The pod directory; its emptyDir volumes are `volumes/<name>` (absent: none reported). */
    readonly podDir?: string;
    readonly containers: ReadonlyArray<Pick<ContainerRecord, 'name' | 'dir' | 'pgid' | 'state'>>;
  };
}

/** Disk use of one container directory: its log files, and everything else. */
interface FsUsage {
  logsBytes: number;
  rootfsBytes: number;
  atMs: number;
}

/**
 * Node and per-container usage from ONE /proc scan per call (shared with
 * whatever else asked the scanner for one at the same time). Container CPU
 * is cumulative utime+stime(+cutime+cstime) of the group's live processes,
 * kept monotonic per run (a process that exits takes its CPU with it unless
 * a group member waited for it); the process groups of the container's exec
 * sessions count as the container's. Memory is RSS (resident pages x page size),
 * used as the working set. Values of a live container are at least 1.
 */
export class StatsCollector {
  private readonly cpuHighWater = new Map<string, number>();
  private readonly fsCache = new Map<string, FsUsage>();
  /**
   * The emptyDir volumes of each pod directory (`<pod dir>/volumes`), listed
   * as often as their use is measured: a listing on every collection cost
   * the runner a failed readdir per pod with no volumes, about 90 ms of a
   * GetStats at 1,000 pods.
   */
  private readonly volumeNames = new Map<string, { names: string[]; atMs: number }>();

  constructor(
    private readonly scanner: Pick<ProcessScanner, 'snapshot'>,
    private readonly procRoot: string,
    private readonly pods: () => readonly StatsPod[],
    private readonly rootDir: string,
    private readonly pageSizeBytes: number,
    private readonly nowMs: () => number = Date.now,
    /** Process groups of exec sessions in a container: their processes count in its usage. */
    private readonly execGroups: (podUid: string, container: string) => readonly number[] = () => [],
  ) {}

  async collect(): Promise<Stats> {
    const snapshot = await this.scanner.snapshot();
    const groups = snapshot.groups;
    const now = this.nowMs();
    const seen = new Set<string>();
    /** Directories measured (or taken from the caches) now; the caches keep only these. */
    const live = new Set<string>();
    const budget = new LoopHoldBudget(BLOCK_BUDGET_MS);
    const pods: PodStats[] = [];
    for (const pod of this.pods()) {
      const containers: ContainerStats[] = [];
      for (const c of pod.record.containers) {
        // Read the state once: the awaits below let the container end meanwhile.
        const state = c.state;
        if (state.state !== 'running') continue;
        const { pgid, dir, name } = c;
        const members = [...(groups.get(pgid) ?? [])];
        for (const g of this.execGroups(pod.record.uid, name)) members.push(...(groups.get(g) ?? []));
        const usage = groupUsage(members, this.pageSizeBytes);
        const key = `${pod.record.uid}/${name}/${pgid}`;
        seen.add(key);
        const cpuNs = Math.max(usage.cpuNs, this.cpuHighWater.get(key) ?? 0);
        this.cpuHighWater.set(key, cpuNs);
        live.add(dir);
        if (budget.due()) await budget.pause();
        const fs = await this.fsUsage(dir, now, budget);
        containers.push({
          name,
          cpuUsageCoreNanoseconds: cpuNs,
          memoryWorkingSetBytes: usage.rssBytes,
          memoryRssBytes: usage.rssBytes,
          processCount: usage.processes,
          startedAtMs: state.running.startedAtMs,
          logsBytes: fs.logsBytes,
          rootfsBytes: fs.rootfsBytes,
        });
      }
      if (containers.length > 0) {
        pods.push({
          uid: pod.record.uid,
          namespace: pod.record.namespace,
          name: pod.record.name,
          containers,
          volumes: pod.record.podDir ? await this.volumeUsage(pod.record.podDir, now, live, budget) : [],
        });
      }
    }
    for (const key of this.cpuHighWater.keys()) if (!seen.has(key)) this.cpuHighWater.delete(key);
    for (const key of this.fsCache.keys()) if (!live.has(key)) this.fsCache.delete(key);
    for (const key of this.volumeNames.keys()) if (!live.has(key)) this.volumeNames.delete(key);
    return { timestampMs: now, node: await this.node(snapshot.entries.length), pods };
  }

  /**
   * Disk use changes slowly and costs a stat per file, so, like cAdvisor's
   * periodic housekeeping, it is measured at most every ROOTFS_CACHE_MS per
   * container rather than on every scrape.
   */
  private async fsUsage(dir: string, now: number, budget: LoopHoldBudget): Promise<FsUsage> {
    const cached = this.fsCache.get(dir);
    if (cached && now - cached.atMs < ROOTFS_CACHE_MS) return cached;
    const usage: FsUsage = {
      logsBytes: sizeOf(logFile(dir, 'stdout', false)) + sizeOf(logFile(dir, 'stderr', false)),
      rootfsBytes: await dirBytes(dir, budget),
      atMs: now,
    };
    this.fsCache.set(dir, usage);
    return usage;
  }

  /** Disk use of the pod's emptyDir volumes, cached as the containers' is; adds what it read to `live`. */
  private async volumeUsage(
    podDir: string,
    now: number,
    live: Set<string>,
    budget: LoopHoldBudget,
  ): Promise<VolumeStats[]> {
    const root = path.join(podDir, 'volumes');
    live.add(root);
    const out: VolumeStats[] = [];
    for (const name of this.volumeNamesIn(root, now)) {
      const dir = path.join(root, name);
      live.add(dir);
      const cached = this.fsCache.get(dir);
      const usage =
        cached && now - cached.atMs < ROOTFS_CACHE_MS
          ? cached
          : { logsBytes: 0, rootfsBytes: await dirBytes(dir, budget, false), atMs: now };
      this.fsCache.set(dir, usage);
      out.push({ name, usedBytes: usage.rootfsBytes });
    }
    return out;
  }

  /** The directories in `root`, listed at most every ROOTFS_CACHE_MS; none when it cannot be read. */
  private volumeNamesIn(root: string, now: number): string[] {
    const cached = this.volumeNames.get(root);
    if (cached && now - cached.atMs < ROOTFS_CACHE_MS) return cached.names;
    let names: string[] = [];
    try {
      names = readdirSync(root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      // no volumes directory: a pod without emptyDir volumes
    }
    this.volumeNames.set(root, { names, atMs: now });
    return names;
  }

  private async node(processCount: number): Promise<NodeStats> {
    const cpu = parseProcStatCpu(readFileSync(`${this.procRoot}/stat`, 'utf8'));
    const mem = parseMeminfo(readFileSync(`${this.procRoot}/meminfo`, 'utf8'));
    const total = mem.get('MemTotal') ?? 0;
    const available = mem.get('MemAvailable') ?? mem.get('MemFree') ?? 0;
    let fsCapacity = 0;
    let fsAvailable = 0;
    try {
      const fs = await statfs(this.rootDir);
      fsCapacity = fs.blocks * fs.bsize;
      fsAvailable = fs.bavail * fs.bsize;
    } catch {
      // root dir not reachable; leave 0
    }
    return {
      cpuUsageCoreNanoseconds: Math.round(cpu.busyTicks * NANOS_PER_TICK),
      memoryWorkingSetBytes: Math.max(0, total - available),
      memoryUsageBytes: Math.max(0, total - (mem.get('MemFree') ?? 0)),
      memoryAvailableBytes: available,
      memoryRssBytes: mem.get('AnonPages') ?? 0,
      memoryTotalBytes: total,
      bootTimeMs: cpu.bootTimeSeconds * 1000,
      fsCapacityBytes: fsCapacity,
      fsAvailableBytes: fsAvailable,
      processCount,
    };
  }
}
