import path from 'node:path';
import { errnoCode, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type {
  CgroupEnd,
  CgroupRun,
  ContainerLimiter,
  ContainerLimits,
  LimitEnforcement,
} from '../process/container-limiter.js';
import { oomKills, v1CpuWrites, v1MemoryWrites, v2LimitWrites, type ControlWrite } from './cgroup-files.js';
import { CgroupFs } from './cgroup-fs.js';
import {
  CGROUP_DIR_NAME,
  cgroupRoots,
  enforcementOf,
  RUNNER_LEAF_NAME,
  type CgroupRoot,
} from './cgroup-layout.js';
import { detectCgroups, type CgroupPlan, type CgroupsSetting } from './cgroups-detect.js';

/**
 * ContainerLimiter over real cgroups (see that interface for the contract).
 * Nothing is written until the first container with limits starts: then
 * `<parent>/vk-cmd` is made (on v2, after moving the parent's processes
 * into a leaf and enabling the memory and cpu controllers).
 */
export class CgroupLimiter implements ContainerLimiter {
  private ready = false;
  private cpuBroken = false;
  /** OOM kills a reused cgroup had already seen when its run started. */
  private readonly baselines = new Map<string, number>();

  constructor(
    private readonly plan: CgroupPlan,
    private readonly log: Logger,
    private readonly fs = new CgroupFs(),
  ) {}

  static detect(setting: CgroupsSetting, parent: string | undefined, log: Logger, fs = new CgroupFs()) {
    return new CgroupLimiter(detectCgroups(fs, setting, parent), log, fs);
  }

  get enforcement(): LimitEnforcement {
    return enforcementOf(this.plan, this.cpuBroken);
  }

  /** The roots containers' cgroups live in: one (v2), or the memory and cpu hierarchies' (v1). */
  private roots(): CgroupRoot[] {
    return cgroupRoots(this.plan);
  }

  private v2Controllers(): string {
    return this.enforcement.cpu === 'cgroup' ? '+memory +cpu' : '+memory';
  }

  private enableV2(dir: string): void {
    const file = path.join(dir, 'cgroup.subtree_control');
    if (this.enforcement.cpu === 'cgroup') {
      try {
        this.fs.write(file, this.v2Controllers());
        return;
      } catch (err) {
        // The cpu controller cannot always be enabled (real-time processes); memory still can.
        this.cpuBroken = true;
        this.log.warn({ err, dir }, 'Cannot enable the cpu controller; CPU limits are not enforced');
      }
    }
    this.fs.write(file, '+memory');
  }

  /** The one-time set-up of `<parent>/vk-cmd`. */
  private setUp(): void {
    if (this.ready) return;
    const p = this.plan;
    if (p.mode === 'v2') {
      if (p.moveProcesses) {
        const leaf = path.join(p.parentDir, RUNNER_LEAF_NAME);
        this.fs.mkdir(leaf);
        const pids = (this.fs.read(path.join(p.parentDir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean);
        for (const pid of pids) {
          try {
            this.fs.write(path.join(leaf, 'cgroup.procs'), pid);
          } catch (err) {
            if (errnoCode(err) !== 'ESRCH') throw err;
          }
        }
        this.log.info({ leaf, pids: pids.length }, 'Moved the processes of the delegated cgroup into a leaf');
      }
      if (p.enable.length > 0) this.enableV2(p.parentDir);
      const root = path.join(p.parentDir, CGROUP_DIR_NAME);
      this.fs.mkdir(root);
      this.enableV2(root);
    } else {
      for (const r of this.roots()) this.fs.mkdir(r.dir);
    }
    this.ready = true;
    this.log.info({ enforcement: this.enforcement }, 'Container cgroups ready');
  }

  prepare(podUid: string, container: string, limits: ContainerLimits): CgroupRun | undefined {
    if (this.plan.mode === 'none') return undefined;
    try {
      this.setUp();
      const procsFiles: string[] = [];
      for (const r of this.roots()) {
        const writes =
          r.kind === 'v2'
            ? v2LimitWrites(limits, this.enforcement.cpu === 'cgroup')
            : r.kind === 'memory'
              ? v1MemoryWrites(limits)
              : v1CpuWrites(limits);
        if (writes.length === 0) continue;
        const podDir = path.join(r.dir, podUid);
        this.fs.mkdir(podDir);
        if (r.kind === 'v2') this.enableV2(podDir);
        const dir = path.join(podDir, container);
        this.fs.mkdir(dir);
        this.writeAll(dir, writes);
        if (r.kind !== 'cpu') this.baselines.set(`${podUid}/${container}`, this.readOomKills(dir));
        procsFiles.push(path.join(dir, 'cgroup.procs'));
      }
      return { procsFiles };
    } catch (err) {
      throw new Error(`cannot set up the container's cgroup: ${errorMessage(err)}`, { cause: err });
    }
  }

  private writeAll(dir: string, writes: ControlWrite[]): void {
    for (const w of writes) {
      try {
        this.fs.write(path.join(dir, w.file), w.value);
      } catch (err) {
        if (!w.optional) throw new Error(`${w.file}: ${errorMessage(err)}`, { cause: err });
      }
    }
  }

  private readOomKills(dir: string): number {
    const mode = this.plan.mode === 'v2' ? 'v2' : 'v1';
    const read = (f: string) => this.fs.read(path.join(dir, f));
    return oomKills(mode, {
      events: read('memory.events'),
      oomControl: read('memory.oom_control'),
      failcnt: read('memory.failcnt'),
    });
  }

  /**
   * The cgroup.procs files of a container's cgroup(s) that exist now (one
   * on v2; memory and, with a CPU limit, cpu on v1), for the exec probes and
   * hooks of a run that joined them. Empty without cgroups. Never throws.
   */
  procsFilesOf(podUid: string, container: string): string[] {
    return this.roots()
      .map((r) => path.join(r.dir, podUid, container))
      .filter((dir) => this.fs.isDir(dir))
      .map((dir) => path.join(dir, 'cgroup.procs'));
  }

  finish(podUid: string, container: string): CgroupEnd {
    const key = `${podUid}/${container}`;
    let kills = 0;
    for (const r of this.roots()) {
      const dir = path.join(r.dir, podUid, container);
      if (!this.fs.isDir(dir)) continue;
      if (r.kind !== 'cpu') kills = Math.max(0, this.readOomKills(dir) - (this.baselines.get(key) ?? 0));
      this.remove(dir);
    }
    this.baselines.delete(key);
    return { oomKills: kills };
  }

  removePod(podUid: string): void {
    for (const r of this.roots()) this.removeTree(path.join(r.dir, podUid));
  }

  sweep(heldPodUids: ReadonlySet<string>): void {
    for (const r of this.roots()) {
      for (const uid of this.fs.subdirs(r.dir)) {
        if (heldPodUids.has(uid)) continue;
        this.log.info(
          { dir: path.join(r.dir, uid) },
          'Removing the cgroups of a pod this runner does not hold',
        );
        this.removeTree(path.join(r.dir, uid));
      }
    }
  }

  private removeTree(dir: string): void {
    if (!this.fs.isDir(dir)) return;
    for (const sub of this.fs.subdirs(dir)) this.remove(path.join(dir, sub));
    this.remove(dir);
  }

  /** rmdir, logged when it fails (processes that left the container's group may still be in it). */
  private remove(dir: string): void {
    try {
      this.fs.rmdir(dir);
    } catch (err) {
      this.log.warn({ err, dir }, 'Cannot remove a cgroup (processes still in it?)');
    }
  }
}
