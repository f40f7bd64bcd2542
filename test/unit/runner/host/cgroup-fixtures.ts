import path from 'node:path';
import type { CgroupFsView } from '../../../../src/runner/host/cgroups-detect.js';

/** A file tree for cgroup detection: file texts, directories and what the runner's user may write. */
export interface FixtureTree {
  files: Record<string, string>;
  /** Directories with no files of their own in `files`. */
  dirs?: string[];
  writable?: string[];
}

/** A CgroupFsView over a fixture tree: directories are those named or holding a file. */
export function fixtureView(tree: FixtureTree): CgroupFsView {
  const dirs = new Set<string>(tree.dirs ?? []);
  for (const file of Object.keys(tree.files)) {
    for (let d = path.dirname(file); d !== '/'; d = path.dirname(d)) dirs.add(d);
  }
  const writable = new Set(tree.writable ?? []);
  return {
    read: (file) => tree.files[file],
    writable: (file) => writable.has(file.replace(/\/$/, '')),
    isDir: (dir) => dirs.has(dir),
  };
}

export const V2_MOUNT =
  '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

/** The mounts of this project's test host: cgroup v1 controllers and an empty cgroup2. */
export const HYBRID_MOUNTS = [
  '25 24 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '27 25 0:24 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '28 25 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '29 25 0:26 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '30 25 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '',
].join('\n');

/** The mounts of a v1-only host (cpu and cpuacct co-mounted, as systemd does). */
export const V1_MOUNTS = [
  '26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '28 25 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '',
].join('\n');
