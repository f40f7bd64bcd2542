// What glibc malloc's settings in bin/vk-cmd-kubelet's shebang buy (decision
// 0018): `make bench`'s scenarios run alternately with the kubelet's
// environment as shipped and with malloc's defaults (the end-to-end support's
// MALLOC_DEFAULTS_ENV), so both see the same machine. Each run is a whole
// `bench.js` with its own kubelet; the figures are read from its results file.
// The default scenarios are the ones whose order the full benchmark has: many
// pods come and go (latency, burst), then the footprint with 200 and 1,000 pods.
// Usage (after `make build` and `make tools`):
//   node dist/bench/decisions/kubelet-malloc.js [--rounds 2] [--scenarios latency,burst,footprint] [-- BENCH_ARGS...]
// Arguments after `--` go to every bench.js run (e.g. `-- --footprint-pods 200`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MALLOC_DEFAULTS_ENV } from '../../test/e2e/support/launch-settings.js';
import { REPO_ROOT, flagValue, loadAverage, printTable, type Row } from './measure-support.js';

const BENCH = path.join(REPO_ROOT, 'dist', 'bench', 'bench.js');

/** Result rows worth comparing, by id, with their printed names. */
const FIGURES: Array<[id: string, name: string, digits: number, unit: string]> = [
  ['footprint.kubelet_rss_200_mb', 'kubelet RSS with 200 pods (after the scenarios before)', 1, 'MB'],
  ['footprint.kubelet_rss_peak_mb', 'kubelet RSS peak over the footprint', 1, 'MB'],
  ['footprint.kubelet_rss_steady_mb', 'kubelet RSS steady with the footprint pods', 1, 'MB'],
  ['footprint.kubelet_heap_total_mb', 'kubelet V8 heap size', 1, 'MB'],
  ['latency.kubelet_cpu_ms_per_pod', 'kubelet CPU per pod lifecycle', 2, 'ms'],
  ['latency.create_to_running', 'create -> Running p99', 0, 'ms'],
];

interface ResultRow {
  id: string;
  value?: number;
  summary?: { p99: number };
}

function runBench(
  scenarios: string,
  benchArgs: string[],
  mallocDefaults: boolean,
): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, [MALLOC_DEFAULTS_ENV]: mallocDefaults ? '1' : '0' };
    const child = spawn(process.execPath, [BENCH, '--scenarios', scenarios, ...benchArgs], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const file = /Full results: (\S+)/.exec(out)?.[1];
      if (!file) return reject(new Error(`bench.js exited ${String(code)} without a results file`));
      const rows = (JSON.parse(readFileSync(path.resolve(REPO_ROOT, file), 'utf8')) as { rows: ResultRow[] })
        .rows;
      resolve(new Map(rows.map((r) => [r.id, r.value ?? r.summary?.p99 ?? NaN])));
    });
  });
}

async function main(): Promise<void> {
  const all = process.argv.slice(2);
  const split = all.indexOf('--');
  const argv = split < 0 ? all : all.slice(0, split);
  const benchArgs = split < 0 ? [] : all.slice(split + 1);
  const rounds = Number(flagValue(argv, '--rounds', '2'));
  const scenarios = flagValue(argv, '--scenarios', 'latency,burst,footprint');
  const sets = [
    { name: 'as shipped', mallocDefaults: false },
    { name: "malloc's defaults", mallocDefaults: true },
  ];
  const figures = sets.map(() => new Map<string, number[]>());
  const loadAvgs = sets.map(() => [] as string[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, set] of sets.entries()) {
      loadAvgs[i]!.push(loadAverage());
      for (const [id, value] of await runBench(scenarios, benchArgs, set.mallocDefaults)) {
        figures[i]!.set(id, [...(figures[i]!.get(id) ?? []), value]);
      }
    }
  }
  for (const [i, set] of sets.entries()) {
    const rows: Row[] = FIGURES.filter(([id]) => figures[i]!.has(id)).map(([id, name, digits, unit]) => ({
      name,
      values: figures[i]!.get(id)!,
      digits,
      unit,
      loadAvgs: loadAvgs[i]!,
    }));
    printTable(`kubelet, ${set.name}: ${[scenarios, ...benchArgs].join(' ')}`, rows);
  }
}

await main();
