import { spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../src/runner/clock.js';
import { findLauncher } from '../../src/runner/process/find-launcher.js';
import { LauncherClient } from '../../src/runner/process/launcher-client.js';
import { flagValue, loadAverage } from './measure-support.js';

/*
 * Docs/decisions/0010-launcher.md: the cost of starting one process group
 * from a Node.js process with a runner-sized heap (--heap-mb, default 80),
 * with Node's spawn and through vk-cmd-launcher, alternating in rounds.
 * Each start is what the runner does: setsid, /dev/null stdin, output
 * appended to a file, `sh -c 'exit 0'`. Per start: CPU of this process
 * (utime+stime), CPU of the launcher, CPU of the children before they exec'd
 * and after (cutime+cstime of whoever reaped them; the same program runs in
 * both, so the difference is the fork's copy-on-write cost), and how long
 * the call blocked the event loop (p50, p99).
 *
 *   node dist/bench/decisions/launcher-spawn.js [--starts 200] [--rounds 3] [--heap-mb 80]
 */

const TICK_MS = 1000 / 100;

function ticksOf(pid: number | 'self'): { self: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After ')': state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  return { self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function waitAll(exits: Array<Promise<unknown>>): Promise<void> {
  await Promise.all(exits);
}

interface Figures {
  way: string;
  loadAvg: string;
  runnerMsPerStart: number;
  launcherMsPerStart: number;
  childrenMsPerStart: number;
  blockP50Ms: number;
  blockP99Ms: number;
}

async function measure(
  way: 'node' | 'launcher',
  starts: number,
  dir: string,
  client: LauncherClient,
): Promise<Figures> {
  const loadAvg = loadAverage();
  const out = openSync(path.join(dir, 'out'), 'a');
  const blocks: number[] = [];
  const exits: Array<Promise<unknown>> = [];
  const launcherPid = client.pid!;
  const before = { runner: process.cpuUsage(), launcher: ticksOf(launcherPid), self: ticksOf('self') };
  for (let i = 0; i < starts; i++) {
    const t0 = process.hrtime.bigint();
    if (way === 'node') {
      const child = spawn('/bin/sh', ['-c', 'exit 0'], {
        detached: true,
        stdio: ['ignore', out, out],
        cwd: dir,
      });
      exits.push(new Promise((r) => child.once('exit', r)));
    } else {
      // Asynchronous since the replies come on the event stream: "block" is the round trip here.
      const r = await client.spawnGroup({
        argv: ['/bin/sh', '-c', 'exit 0'],
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
        cwd: dir,
        setsid: true,
        files: [
          { childFd: 0, flags: constants.O_RDONLY, path: '/dev/null' },
          {
            childFd: 1,
            flags: constants.O_WRONLY | constants.O_APPEND,
            path: `/proc/${process.pid}/fd/${out}`,
          },
          {
            childFd: 2,
            flags: constants.O_WRONLY | constants.O_APPEND,
            path: `/proc/${process.pid}/fd/${out}`,
          },
        ],
      });
      if (r.kind !== 'started') throw new Error(`launcher start: ${JSON.stringify(r)}`);
      exits.push(new Promise((resolve) => r.exits.once('exit', resolve)));
    }
    blocks.push(Number(process.hrtime.bigint() - t0) / 1e6);
    // Let the event loop run between starts, as the runner's does.
    await new Promise((r) => setImmediate(r));
  }
  await waitAll(exits);
  closeSync(out);
  const cpu = process.cpuUsage(before.runner);
  const launcher = ticksOf(launcherPid);
  const self = ticksOf('self');
  blocks.sort((a, b) => a - b);
  const childrenTicks = self.children - before.self.children + (launcher.children - before.launcher.children);
  return {
    way,
    loadAvg,
    runnerMsPerStart: (cpu.user + cpu.system) / 1000 / starts,
    launcherMsPerStart: ((launcher.self - before.launcher.self) * TICK_MS) / starts,
    childrenMsPerStart: (childrenTicks * TICK_MS) / starts,
    blockP50Ms: percentile(blocks, 50),
    blockP99Ms: percentile(blocks, 99),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const starts = Number(flagValue(argv, '--starts', '200'));
  const rounds = Number(flagValue(argv, '--rounds', '3'));
  const heapMb = Number(flagValue(argv, '--heap-mb', '80'));
  // A heap like the runner's: many small objects, so the page tables are the runner's size too.
  const ballast: Array<{ a: number; b: string }> = [];
  for (let i = 0; ballast.length * 64 < heapMb * 1024 * 1024; i++) ballast.push({ a: i, b: `x${i}` });
  const file = findLauncher();
  if (!file) throw new Error('vk-cmd-launcher is not built (make build)');
  const client = new LauncherClient(file, process.env, systemClock, pino({ level: 'silent' }));
  if (!(await client.start())) throw new Error('the launcher did not start');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-launcher-bench-'));
  const rows: Figures[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const way of ['node', 'launcher'] as const) rows.push(await measure(way, starts, dir, client));
    }
  } finally {
    client.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const rssMb = Math.round(process.memoryUsage.rss() / 1e6);
  console.log(`heap ballast ${ballast.length} objects; RSS ${rssMb} MB; ${starts} starts per row`);
  console.log(
    'way      | load avg       | runner ms/start | launcher ms/start | children ms/start | block p50 / p99 ms',
  );
  for (const f of rows) {
    console.log(
      `${f.way.padEnd(8)} | ${f.loadAvg.padEnd(14)} | ${f.runnerMsPerStart.toFixed(2).padStart(15)} | ${f.launcherMsPerStart
        .toFixed(2)
        .padStart(
          17,
        )} | ${f.childrenMsPerStart.toFixed(2).padStart(17)} | ${f.blockP50Ms.toFixed(2)} / ${f.blockP99Ms.toFixed(2)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
