import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/** Removes a cgroup tree, leaves first (cgroup directories are removed with rmdir, never recursively). */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  }
  rmdirSync(dir);
}

/**
 * A private cgroup v1 parent in the memory and cpu hierarchies for one test
 * file's runner: `create()` before the runner starts, `runnerArgs` for its
 * flags, `remove()` after it stopped.
 */
export function cgroupV1Parents(name: string): { runnerArgs: string[]; create(): void; remove(): void } {
  const dirs = ['memory', 'cpu'].map((c) => `/sys/fs/cgroup/${c}/${name}`);
  return {
    runnerArgs: ['--cgroups', 'v1', '--cgroup-parent', `/${name}`],
    create: () => dirs.forEach((dir) => mkdirSync(dir)),
    remove: () => dirs.forEach(removeCgroupTree),
  };
}
