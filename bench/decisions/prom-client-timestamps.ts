// Can prom-client write /metrics/resource? (docs/decisions/0003-prometheus-text.md)
//   1. It cannot write a sample timestamp: a sample line is name, labels and
//      value (lib/registry.js), whatever a collect() puts in the value object.
//   2. Time to render /metrics/resource for N running containers, 3 runs:
//      our renderResourceMetrics against prom-client gauges reset and set on
//      each scrape (as a collector would), median of 20 scrapes per run.
// Usage: node dist/bench/decisions/prom-client-timestamps.js [--containers 1000]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Gauge, Registry } from 'prom-client';
import { renderResourceMetrics } from '../../src/kubelet/api/resource-metrics.js';
import type { Stats__Output } from '../../src/generated/vkcmd/runner/v1/Stats.js';
import { loadAverage, printTable, row, type Run } from './measure-support.js';

const SCRAPES = 20;
const WARMUP = 5;

function promClientVersion(): string {
  const file = createRequire(import.meta.url).resolve('prom-client/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** A runner sample of `count` one-container pods, and the pods it joins with. */
function sample(count: number, nowMs: number) {
  const names = Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  const stats = {
    timestampMs: nowMs - 40,
    node: { cpuUsageCoreNanoseconds: 9.1e12, memoryWorkingSetBytes: 3.2e9 },
    pods: names.map((name, i) => ({
      uid: `uid-${i}`,
      namespace: 'bench',
      name,
      containers: [
        {
          name: 'c1',
          cpuUsageCoreNanoseconds: 1.25e9 + i,
          memoryWorkingSetBytes: 3_100_000 + i,
          startedAtMs: nowMs - 600_000,
        },
      ],
    })),
  } as unknown as Stats__Output;
  const pods = names.map((name, i) => ({
    metadata: { name, namespace: 'bench', uid: `uid-${i}` },
    spec: { containers: [{ name: 'c1' }] },
  }));
  return { stats, pods };
}

/** The same families through prom-client: gauges reset and set per scrape. */
function promClientRenderer(): (s: ReturnType<typeof sample>) => Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, labelNames: string[]) =>
    new Gauge({ name, help: `[STABLE] ${name}`, labelNames, registers: [registry] });
  const c = ['container', 'namespace', 'pod'];
  const p = ['namespace', 'pod'];
  const families = {
    nodeCpu: gauge('node_cpu_usage_seconds_total', []),
    nodeMemory: gauge('node_memory_working_set_bytes', []),
    cpu: gauge('container_cpu_usage_seconds_total', c),
    memory: gauge('container_memory_working_set_bytes', c),
    start: gauge('container_start_time_seconds', c),
    podCpu: gauge('pod_cpu_usage_seconds_total', p),
    podMemory: gauge('pod_memory_working_set_bytes', p),
  };
  return async ({ stats }) => {
    for (const g of Object.values(families)) g.reset();
    families.nodeCpu.set(stats.node!.cpuUsageCoreNanoseconds / 1e9);
    families.nodeMemory.set(stats.node!.memoryWorkingSetBytes);
    for (const pod of stats.pods) {
      for (const ctr of pod.containers) {
        const labels = { container: ctr.name, namespace: pod.namespace, pod: pod.name };
        families.cpu.set(labels, ctr.cpuUsageCoreNanoseconds / 1e9);
        families.memory.set(labels, ctr.memoryWorkingSetBytes);
        families.start.set(labels, ctr.startedAtMs / 1000);
      }
      const podLabels = { namespace: pod.namespace, pod: pod.name };
      families.podCpu.set(podLabels, pod.containers[0]!.cpuUsageCoreNanoseconds / 1e9);
      families.podMemory.set(podLabels, pod.containers[0]!.memoryWorkingSetBytes);
    }
    return registry.metrics();
  };
}

async function medianMs(render: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await render();
  const times: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = performance.now();
    await render();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(count: number): Promise<void> {
  const nowMs = Date.now();
  const input = sample(count, nowMs);
  const ours = renderResourceMetrics(input.stats, input.pods as never, nowMs);
  const viaPromClient = promClientRenderer();
  const theirs = await viaPromClient(input);
  const line = (text: string) =>
    text.split('\n').find((l) => l.startsWith('container_cpu_usage_seconds_total{'));
  console.log(`prom-client ${promClientVersion()} (the latest release at the time of writing)`);
  console.log(`  ours:        ${line(ours)}`);
  console.log(`  prom-client: ${line(theirs)}`);
  // A collect() may hand the registry value objects with a timestamp: it is not written.
  const registry = new Registry();
  new Gauge({
    name: 'container_cpu_usage_seconds_total',
    help: 'x',
    labelNames: ['container'],
    registers: [registry],
    collect() {
      (this as unknown as { hashMap: Record<string, unknown> }).hashMap = {
        'container:c1': { labels: { container: 'c1' }, value: 1.25, timestamp: nowMs },
      };
    },
  });
  console.log(`  prom-client given a value with a timestamp: ${line(await registry.metrics())}`);

  const runs: Array<Run<{ ours: number; promClient: number }>> = [];
  for (let i = 0; i < 3; i++) {
    const loadAvg = loadAverage();
    const oursMs = await medianMs(() => renderResourceMetrics(input.stats, input.pods as never, nowMs));
    const promMs = await medianMs(() => viaPromClient(input));
    runs.push({ loadAvg, value: { ours: oursMs, promClient: promMs } });
  }
  printTable(`/metrics/resource for ${count} running containers, median of ${SCRAPES} renders per run`, [
    row('ours (renderResourceMetrics, with timestamps)', runs, (r) => r.ours, 1, 'ms'),
    row('prom-client gauges, reset and set per scrape (no timestamps)', runs, (r) => r.promClient, 1, 'ms'),
    row('output size, ours', runs, () => Buffer.byteLength(ours) / 1e3, 0, 'kB'),
  ]);
}

const i = process.argv.indexOf('--containers');
await main(i >= 0 ? Number(process.argv[i + 1]) : 1000);
