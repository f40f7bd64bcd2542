import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from the compiled location dist/bench/decisions. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The flags bin/vk-cmd-kubelet runs Node.js with, so memory figures match production. */
export { KUBELET_NODE_FLAGS } from '../../test/e2e/support/launch-settings.js';

/** The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them. */
/** The value after `name` in a decision script's arguments, or `fallback`. */
export function flagValue(argv: readonly string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** One measurement and the load average when it started. */
export interface Run<T> {
  loadAvg: string;
  value: T;
}

/**
 * Runs `script` (a compiled file under dist/) in a fresh Node.js process with
 * `--expose-gc` and `nodeFlags` (on the Node.js binary `node`, this one's by
 * default), and resolves the JSON object it prints as its last line of
 * stdout. Rejects, with its stderr, when it exits non-zero.
 */
export function runChild<T>(
  script: string,
  args: string[],
  nodeFlags: readonly string[] = [],
  node: string = process.execPath,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--expose-gc', ...nodeFlags, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${path.basename(script)} ${args.join(' ')} exited ${code}: ${err}`));
      else resolve(JSON.parse(last) as T);
    });
  });
}

/** Runs `measure` `times` times in a row, noting the load average before each. */
export async function repeat<T>(times: number, measure: () => Promise<T>): Promise<Array<Run<T>>> {
  const runs: Array<Run<T>> = [];
  for (let i = 0; i < times; i++) {
    const loadAvg = loadAverage();
    runs.push({ loadAvg, value: await measure() });
  }
  return runs;
}

/** "lo–hi unit" over the runs (one value when they agree at this precision). */
export function range(values: number[], digits: number, unit: string): string {
  const lo = Math.min(...values).toFixed(digits);
  const hi = Math.max(...values).toFixed(digits);
  return `${lo === hi ? lo : `${lo}–${hi}`}${unit ? ` ${unit}` : ''}`;
}

/** One figure over the runs: its values and the load average at each run. */
export interface Row {
  name: string;
  values: number[];
  loadAvgs: string[];
  digits: number;
  unit: string;
}

/** A Row from `runs`, reading the figure with `pick`. */
export function row<T>(
  name: string,
  runs: Array<Run<T>>,
  pick: (v: T) => number,
  digits: number,
  unit: string,
): Row {
  return { name, values: runs.map((r) => pick(r.value)), loadAvgs: runs.map((r) => r.loadAvg), digits, unit };
}

/** A Markdown table: each figure's range, each run's value, and the load averages. */
export function printTable(title: string, rows: Row[]): void {
  console.log(`\n### ${title}\n`);
  console.log('| figure | range of the runs | each run | load average (1/5/15 min) at each run |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) {
    const each = r.values.map((v) => v.toFixed(r.digits)).join(', ');
    console.log(`| ${r.name} | ${range(r.values, r.digits, r.unit)} | ${each} | ${r.loadAvgs.join('; ')} |`);
  }
}

/** RSS and heap after two full garbage collections, in MB. */
export function settledMemoryMb(): { rssMb: number; heapUsedMb: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { rssMb: m.rss / 1e6, heapUsedMb: m.heapUsed / 1e6 };
}

/** Apparent size of every file under `dir`, and the number of packages in a node_modules tree. */
export function treeSize(dir: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += statSync(p).size;
        if (
          e.name === 'package.json' &&
          path.basename(path.dirname(path.dirname(p))).match(/^(node_modules|@.*)$/)
        )
          packages++;
      }
    }
  };
  walk(dir);
  return { bytes, packages };
}

/**
 * `npm install`s `specs` into `prefix` (a directory of its own) and reports
 * the packages, the apparent size of node_modules and what `npm audit` finds.
 */
export function installInto(
  prefix: string,
  specs: string[],
): { packages: number; bytes: number; audit: string } {
  const install = spawnSync('npm', ['install', '--prefix', prefix, '--no-fund', '--no-audit', ...specs], {
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new Error(`npm install ${specs.join(' ')}: ${install.stderr}`);
  const audit = spawnSync('npm', ['audit', '--json', '--prefix', prefix], { encoding: 'utf8' });
  const counts =
    (JSON.parse(audit.stdout) as { metadata?: { vulnerabilities?: Record<string, number> } }).metadata
      ?.vulnerabilities ?? {};
  const found = Object.entries(counts).filter(([k, v]) => k !== 'total' && v > 0);
  return {
    ...treeSize(path.join(prefix, 'node_modules')),
    audit: found.length ? found.map(([k, v]) => `${v} ${k}`).join(', ') : 'no known vulnerabilities',
  };
}
