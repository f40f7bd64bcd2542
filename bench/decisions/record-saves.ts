// What does a pod record's save cost? (docs/decisions/0014-record-log.md)
// A pod lifecycle's record writes, as the runner makes them: SAVES saves of a
// one-container record and its removal, for PODS pods with at most LIVE of
// them on disk at a time (a pod is removed LIVE pods after its creation).
// Two ways, alternated, each in a fresh directory: a new file per save (tmp
// written, old record unlinked, tmp renamed: the store before decision 0014)
// and PodStateStore (one file per pod, a save appended). CPU (user+system of
// this process) per pod lifecycle, 3 runs each, and the files created.
// Usage: node dist/bench/decisions/record-saves.js [--dir DIR] [--pods N]   (after make build)
// --dir picks the file system: the default is os.tmpdir(); a tmpfs (/dev/shm)
// shows the cost without ext4's scan of recently freed inodes.
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { PodRecord } from '../../src/runner/pods/pod-record.js';
import { PodStateStore } from '../../src/runner/pods/state-persistence.js';
import { flagValue, loadAverage, printTable, row, type Run } from './measure-support.js';

const argv = process.argv.slice(2);
const baseDir = flagValue(argv, '--dir', os.tmpdir());
const pods = Number(flagValue(argv, '--pods', '2000'));
const SAVES = 6;
const WAYS = ['file-per-save', 'append'] as const;
type Way = (typeof WAYS)[number];
const LIVE = 200;

interface Writer {
  save(record: PodRecord): void;
  remove(uid: string): void;
}

/** The store before decision 0014: every save a new file renamed into place. */
function filePerSave(podsDir: string): Writer {
  return {
    save(record) {
      const file = path.join(podsDir, `${record.uid}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
      try {
        unlinkSync(file);
      } catch {
        // a first save
      }
      renameSync(`${file}.tmp`, file);
    },
    remove: (uid) => unlinkSync(path.join(podsDir, `${uid}.json`)),
  };
}

function recordOf(uid: string, save: number): PodRecord {
  return {
    version: 1,
    uid,
    namespace: 'bench',
    name: `pod-${uid}`,
    podDir: `/home/u/.vk-cmd/bench/pod-${uid}`,
    save,
    containers: [
      {
        name: 'c1',
        state: save < 3 ? { state: 'waiting' } : { state: 'running', running: { startedAtMs: Date.now() } },
        launch: {
          argv: ['/bin/sh', '-c', 'sleep 2; exit 0'],
          cwd: '/',
          podEnv: [{ name: 'A', value: 'x'.repeat(200) }],
        },
        pgid: 4000 + save,
        restartCount: 0,
      },
    ],
  } as unknown as PodRecord;
}

/** CPU microseconds per pod lifecycle for one way of writing. */
function measure(way: Way): number {
  const dir = mkdtempSync(path.join(baseDir, 'vk-cmd-record-saves-'));
  try {
    const podsDir = path.join(dir, 'pods');
    mkdirSync(podsDir, { mode: 0o700 });
    const writer: Writer =
      way === 'append' ? new PodStateStore(dir, pino({ level: 'silent' })) : filePerSave(podsDir);
    const start = process.cpuUsage();
    for (let i = 0; i < pods + LIVE; i++) {
      if (i < pods) for (let s = 0; s < SAVES; s++) writer.save(recordOf(String(i), s));
      if (i >= LIVE) writer.remove(String(i - LIVE));
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / pods;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Alternated, so both ways see the same history of freed inodes.
const runs: Record<Way, Array<Run<number>>> = { 'file-per-save': [], append: [] };
for (let run = 0; run < 3; run++) {
  for (const way of WAYS) runs[way].push({ loadAvg: loadAverage(), value: measure(way) });
}
printTable(`Record writes per pod lifecycle (${SAVES} saves, 1 removal), ${pods} pods, in ${baseDir}`, [
  row('a new file per save (tmp + unlink + rename), CPU', runs['file-per-save'], (v) => v, 0, 'µs'),
  row('appended to one file per pod (PodStateStore), CPU', runs.append, (v) => v, 0, 'µs'),
]);
console.log(`\nFiles created per pod lifecycle: ${SAVES} a new file per save, 1 appended.`);
