// What do writes through verified directory handles cost? (docs/decisions/0006-fd-relative-writes.md)
// Per container start (remove exitcode, create stdout and stderr, the exitcode
// tmp file, pgid tmp + rename) and per pod directory (one container, one
// file), through DirHandle against the plain-path writes the runner made
// before (open by path with O_NOFOLLOW on the last component, lstat per
// directory component). CPU and wall microseconds per operation, mean of N
// (default 2000), 3 runs; a detached spawn for scale.
// Usage: node dist/bench/decisions/fd-relative-writes.js [N]   (after make build)
import { spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  openContainerDir,
  openExitCodeTarget,
  openRunLog,
  removeExitCodeFile,
  writePgidFile,
} from '../../src/runner/files/container-dir.js';
import { writePodDirectory } from '../../src/runner/files/volume-writer.js';
import type { VolumePlan } from '../../src/runner/files/volume-plan.js';
import { printTable, repeat, row } from './measure-support.js';

const iterations = Number(process.argv[2] ?? 2000);
const base = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-fdbench-'));
const root = path.join(base, 'root');
const dir = path.join(root, 'ns', 'pod', 'containers', 'c1');
mkdirSync(dir, { recursive: true });

const LOG_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND | constants.O_NOFOLLOW;

/** The container-start file operations as the runner did them by path. */
function plainStart(): void {
  try {
    unlinkSync(path.join(dir, 'exitcode'));
  } catch {
    // absent
  }
  const out = openSync(path.join(dir, 'stdout'), LOG_FLAGS, 0o644);
  const err = openSync(path.join(dir, 'stderr'), LOG_FLAGS, 0o644);
  closeSync(out);
  closeSync(err);
  const fd = openSync(
    path.join(dir, '.pgid.tmp'),
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  );
  writeSync(fd, '12345\n');
  closeSync(fd);
  renameSync(path.join(dir, '.pgid.tmp'), path.join(dir, 'pgid'));
}

/** The same through a verified handle, plus the exitcode tmp file the wrapper now gets. */
function handleStart(): void {
  const h = openContainerDir(dir);
  try {
    removeExitCodeFile(h);
    closeSync(openRunLog(h, 'stdout'));
    closeSync(openRunLog(h, 'stderr'));
    closeSync(openExitCodeTarget(h));
    writePgidFile(h, 12345);
  } finally {
    h.close();
  }
}

const plan: VolumePlan = {
  dirs: ['containers/c1'],
  files: [{ path: 'containers/c1/job/run.sh', data: Buffer.from('echo hi\n'), mode: 0o644 }],
  symlinks: [],
  mounts: new Map(),
  workingDirs: new Map(),
};

/** A one-container pod directory with one script, as the runner wrote it by path. */
function plainPodDir(podDir: string): void {
  mkdirSync(path.dirname(podDir), { recursive: true, mode: 0o755 });
  mkdirSync(podDir, { mode: 0o700 });
  let current = podDir;
  for (const part of ['containers', 'c1', 'job']) {
    current = path.join(current, part);
    try {
      mkdirSync(current, { mode: 0o755 });
    } catch {
      if (!lstatSync(current).isDirectory()) throw new Error('not a directory');
    }
  }
  const fd = openSync(
    path.join(current, 'run.sh'),
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  writeSync(fd, 'echo hi\n');
  closeSync(fd);
}

interface Cost {
  wallUs: number;
  cpuUs: number;
}

/** Mean wall and CPU microseconds per call of `fn` over `n` calls (after 200 warm-up calls). */
function measure(fn: (i: number) => void, cleanup?: (i: number) => void, n = iterations): Cost {
  for (let i = 0; i < Math.min(200, n); i++) {
    fn(-1 - i);
    cleanup?.(-1 - i);
  }
  let wallNs = 0n;
  let cpuUs = 0;
  for (let i = 0; i < n; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn(i);
    wallNs += process.hrtime.bigint() - t0;
    const cpu = process.cpuUsage(cpu0);
    cpuUs += cpu.user + cpu.system;
    cleanup?.(i);
  }
  return { wallUs: Number(wallNs) / 1000 / n, cpuUs: cpuUs / n };
}

/** What a run leaves that the next start does not find: the wrapper renamed the exitcode tmp file, rotate() moved the logs. */
const endRun = (): void => {
  for (const f of ['stdout', 'stderr', '.exitcode.tmp']) rmSync(path.join(dir, f), { force: true });
};
const podDir = (i: number): string => path.join(root, 'ns', `p${i}`);
const removePod = (i: number): void => rmSync(podDir(i), { recursive: true, force: true });

const startSpawn = (): void => {
  spawn('/bin/true', [], { detached: true, stdio: 'ignore' }).unref();
};

/** One run of every measurement. */
function round(): Record<string, Cost> {
  const held = openContainerDir(dir);
  try {
    return {
      startPlain: measure(plainStart, endRun),
      startHandle: measure(handleStart, endRun),
      openHandle: measure(() => openContainerDir(dir).close()),
      verify: measure(() => held.verify()),
      podPlain: measure((i) => plainPodDir(podDir(i)), removePod),
      podHandle: measure((i) => writePodDirectory(podDir(i), plan), removePod),
      // For scale: the spawn every container start makes (the call only; the children exit on their own).
      spawn: measure(startSpawn, undefined, Math.min(iterations, 300)),
    };
  } finally {
    held.close();
  }
}

const runs = await repeat(3, () => Promise.resolve(round()));
rmSync(base, { recursive: true, force: true });
const figures: Array<[string, string]> = [
  ['startPlain', 'container start files, plain paths'],
  ['startHandle', 'container start files, verified handle'],
  ['openHandle', 'open and close a container directory handle'],
  ['verify', 'one verify (lstat, device and inode)'],
  ['podPlain', 'pod directory (1 container, 1 file), plain paths'],
  ['podHandle', 'pod directory (1 container, 1 file), verified handles'],
  ['spawn', 'a detached spawn of /bin/true (for scale)'],
];
printTable(
  `CPU time per operation (mean of ${iterations})`,
  figures.map(([key, name]) => row(name, runs, (v) => v[key]!.cpuUs, 0, 'us')),
);
printTable(
  `Wall time per operation (mean of ${iterations})`,
  figures.map(([key, name]) => row(name, runs, (v) => v[key]!.wallUs, 0, 'us')),
);
