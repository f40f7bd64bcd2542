// What does removing a pod's directory cost? (docs/decisions/0015-tree-removal-on-the-loop.md)
// PODS pod directories of the runner's shape (containers/c1 with stdout, stderr, pgid, exitcode
// and the wrapper's run file), removed one after another through verified directory handles,
// two ways alternated: each system call handed to the thread pool (fs/promises, the runner
// before decision 0015) and removeTree (the calls on the event loop, in slices). Per pod: CPU
// (user+system of the whole process, the pool's threads included) and context switches.
// Usage: node dist/bench/decisions/tree-removal.js [--dir DIR] [--pods N]   (after make build)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, rmdir, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errnoCode } from '../../src/common/errors.js';
import { DirHandle } from '../../src/runner/files/dir-handle.js';
import { removeTree } from '../../src/runner/files/remove-tree.js';
import { flagValue, loadAverage, printTable, row, type Run } from './measure-support.js';

const argv = process.argv.slice(2);
const baseDir = flagValue(argv, '--dir', os.tmpdir());
const pods = Number(flagValue(argv, '--pods', '2000'));
const WAYS = ['thread-pool', 'on-the-loop'] as const;
type Way = (typeof WAYS)[number];
const FILES = ['stdout', 'stderr', 'pgid', 'exitcode', '.run-0123456789abcdef'];

/** The removal before decision 0015: every unlink, readdir and rmdir a thread-pool request. */
async function removeInPool(parent: DirHandle, name: string): Promise<void> {
  const dir = parent.openDir(name);
  try {
    for (const e of await readdir(dir.procPath, { withFileTypes: true })) {
      if (e.isDirectory()) await removeInPool(dir, e.name);
      else {
        dir.verify();
        await unlink(dir.entry(e.name));
      }
    }
  } finally {
    dir.close();
  }
  parent.verify();
  await rmdir(parent.entry(name)).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
}

interface PerPod {
  cpuUs: number;
  switches: number;
}

async function measure(way: Way): Promise<PerPod> {
  const dir = mkdtempSync(path.join(baseDir, 'vk-cmd-tree-removal-'));
  try {
    for (let i = 0; i < pods; i++) {
      const c1 = path.join(dir, 'ns', `pod-${i}`, 'containers', 'c1');
      mkdirSync(c1, { recursive: true });
      for (const f of FILES) writeFileSync(path.join(c1, f), 'x');
    }
    const ns = DirHandle.openBeneath(dir, 'ns');
    const cpu = process.cpuUsage();
    const before = process.resourceUsage();
    try {
      for (let i = 0; i < pods; i++) {
        if (way === 'on-the-loop') await removeTree(ns, `pod-${i}`, true);
        else await removeInPool(ns, `pod-${i}`);
      }
    } finally {
      ns.close();
    }
    const used = process.cpuUsage(cpu);
    const after = process.resourceUsage();
    const switches =
      after.voluntaryContextSwitches -
      before.voluntaryContextSwitches +
      after.involuntaryContextSwitches -
      before.involuntaryContextSwitches;
    return { cpuUs: (used.user + used.system) / pods, switches: switches / pods };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Record<Way, Array<Run<PerPod>>> = { 'thread-pool': [], 'on-the-loop': [] };
for (let run = 0; run < 3; run++) {
  for (const way of WAYS) runs[way].push({ loadAvg: loadAverage(), value: await measure(way) });
}
printTable(`Removing a pod directory (3 directories, ${FILES.length} files), ${pods} pods, in ${baseDir}`, [
  row('each call in the thread pool (fs/promises), CPU', runs['thread-pool'], (v) => v.cpuUs, 0, 'µs'),
  row('removeTree on the event loop, CPU', runs['on-the-loop'], (v) => v.cpuUs, 0, 'µs'),
  row('each call in the thread pool, context switches', runs['thread-pool'], (v) => v.switches, 1, ''),
  row('removeTree on the event loop, context switches', runs['on-the-loop'], (v) => v.switches, 1, ''),
]);
