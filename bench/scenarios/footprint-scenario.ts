import path from 'node:path';
import { kubeletGet } from '../../test/e2e/support/https-get.js';
import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import { HEAP_SNAPSHOT_DIR } from '../bench-setup.js';
import { podNames } from '../bench-pod.js';
import { realClock } from '../pacing.js';
import { clockTicksPerSecond, readCpuTicks, readProcMemory, resetPeakRss } from '../proc-stats.js';
import { counterDeltas, parseSamples } from '../prom-text.js';
import { valueRow, type ReportRow } from '../report-rows.js';
import { summarize } from '../stats.js';
import { cpuOver, scrapeCost, withMetricsServerPaused } from './cpu-windows.js';
import { batchWarnings, createAll, deleteAll, waitForPods } from './pod-waits.js';
import { rssPartRows, steadyRss } from './steady-rss.js';

const API_REQUESTS_METRIC = 'vkcmd_kubelet_apiserver_requests_total';
const HTTP_REQUESTS_METRIC = 'vkcmd_kubelet_http_requests_total';
const HEAP_METRICS = {
  heapUsed: 'nodejs_heap_size_used_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  external: 'nodejs_external_memory_bytes',
} as const;
/** Pause between "all Running" and the idle window, so trailing status writes are not counted as idle. */
const SETTLE_MS = 5000;
/** Pods held first for the "steady RSS with 200 pods" rows, and how long their RSS is sampled. */
const RSS_STEP_PODS = 200;
const RSS_STEP_SECONDS = 10;
/** Longest window without scrapes, and how many scrapes are timed for the per-scrape cost. */
const QUIET_SECONDS_MAX = 30;
const TIMED_SCRAPES = 10;
/** Kubelet heap in use above which the scenario asks it for a heap snapshot. */
const SUSPICIOUS_HEAP_MB = 200;

/** The kubelet's V8 heap (used and committed) and external memory from its `/metrics` text, in MB. */
function heapFigures(metricsText: string): { heapUsed: number; heapTotal: number; external: number } {
  const mb = (metric: string): number =>
    (parseSamples(metricsText, metric)[0]?.value ?? Number.NaN) / 2 ** 20;
  return {
    heapUsed: mb(HEAP_METRICS.heapUsed),
    heapTotal: mb(HEAP_METRICS.heapTotal),
    external: mb(HEAP_METRICS.external),
  };
}

/**
 * Footprint: N long-running pods (`sleep 3600`) held for a window. The first
 * 200 are created and held alone first, for the steady RSS of both processes
 * with 200 pods running (mean VmRSS over 10 s after a settle). Peak RSS is
 * VmHWM after resetting it (clear_refs) just before the pods were created, so
 * it covers creating N pods and holding them; steady RSS is the mean VmRSS
 * sampled each second over the window; idle CPU is the utime+stime delta over
 * the window; API requests/s comes from the kubelet's own counter, scraped
 * before and after. Then every pod is deleted and the time until gone reported.
 */
export async function runFootprintScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  const { flags, progress } = ctx;
  const count = flags.footprintPods;
  const names = podNames('fp', count);
  const kubeletPid = ctx.node.kubelet?.pid;
  const runnerPid = ctx.node.runner?.pid;
  if (!kubeletPid || !runnerPid) throw new Error('the kubelet or runner process is not running');
  const peakReset = resetPeakRss(kubeletPid) && resetPeakRss(runnerPid);

  // First RSS_STEP_PODS pods, held for a steady RSS reading, then the rest; the
  // "first create -> all Running" figure leaves out the time spent reading.
  const stepCount = Math.min(RSS_STEP_PODS, count);
  const pod = { scenario: 'footprint', command: ['sleep', '3600'], milestone: 'running' as const };
  let createStartMs = Date.now();
  const stepCreates = await createAll(
    ctx,
    `footprint: creating ${stepCount} long-running pods`,
    names.slice(0, stepCount),
    pod,
  );
  progress.finish();
  const scrape = async (): Promise<string> => {
    const res = await kubeletGet(ctx.node.kubeletPort, '/metrics', {
      cert: ctx.adminCert,
      key: ctx.adminKey,
    });
    if (res.status !== 200)
      throw new Error(`kubelet /metrics answered ${res.status}: ${res.body.slice(0, 200)}`);
    return res.body;
  };
  const stepNames = names.slice(0, stepCount);
  await waitForPods(ctx, 'footprint: waiting for Running', stepNames, ['running'], 300_000);
  let allRunningSeconds = (Date.now() - createStartMs) / 1000;
  const step = await steadyRss(
    ctx,
    { kubelet: kubeletPid, runner: runnerPid },
    `footprint: ${stepCount} pods running`,
    SETTLE_MS,
    Math.min(RSS_STEP_SECONDS, flags.footprintSeconds),
  );
  const stepStillRunning = stepCount - ctx.timeline.countReached(stepNames, ['terminated', 'gone']);
  const stepHeapMb = heapFigures(await scrape());

  createStartMs = Date.now();
  const restCreates = await createAll(
    ctx,
    `footprint: creating ${count - stepCount} more long-running pods`,
    names.slice(stepCount),
    pod,
  );
  progress.finish();
  const creates = {
    ok: stepCreates.ok + restCreates.ok,
    failed: stepCreates.failed + restCreates.failed,
    errors: [...stepCreates.errors, ...restCreates.errors].slice(0, 5),
  };
  const running = await waitForPods(ctx, 'footprint: waiting for Running', names, ['running'], 300_000);
  allRunningSeconds += (Date.now() - createStartMs) / 1000;

  progress.start('footprint: settling', 0);
  await realClock.sleep(SETTLE_MS, ctx.signal);
  progress.finish();

  const windowMs = flags.footprintSeconds * 1000;
  progress.start(`footprint: idle window with ${count} pods`, flags.footprintSeconds);
  const metricsBefore = await scrape();
  const windowStartMs = Date.now();
  const cpuBefore = { kubelet: readCpuTicks(kubeletPid), runner: readCpuTicks(runnerPid) };
  const rssKb = { kubelet: [] as number[], runner: [] as number[] };
  for (let i = 1; Date.now() - windowStartMs < windowMs; i++) {
    rssKb.kubelet.push(readProcMemory(kubeletPid).vmRssKb);
    rssKb.runner.push(readProcMemory(runnerPid).vmRssKb);
    progress.update(Math.min(flags.footprintSeconds, Math.round((Date.now() - windowStartMs) / 1000)));
    await realClock.sleep(Math.max(0, windowStartMs + i * 1000 - Date.now()), ctx.signal);
  }
  progress.update(flags.footprintSeconds);
  const cpuAfter = { kubelet: readCpuTicks(kubeletPid), runner: readCpuTicks(runnerPid) };
  const windowSeconds = (Date.now() - windowStartMs) / 1000;
  const metricsAfter = await scrape();
  const peakKb = { kubelet: readProcMemory(kubeletPid).vmHwmKb, runner: readProcMemory(runnerPid).vmHwmKb };
  progress.finish();
  const stillRunning = count - ctx.timeline.countReached(names, ['terminated', 'gone']);

  const deltas = (metric: string): Map<string, number> =>
    counterDeltas(parseSamples(metricsBefore, metric), parseSamples(metricsAfter, metric));
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const requestDeltas = deltas(API_REQUESTS_METRIC);
  const servedDeltas = deltas(HTTP_REQUESTS_METRIC);
  const heapMb = heapFigures(metricsAfter);
  // A kubelet holding this many live objects for this many pods has a leak worth a look.
  const heapSnapshotRequested = heapMb.heapUsed > SUSPICIOUS_HEAP_MB;
  if (heapSnapshotRequested) process.kill(kubeletPid, 'SIGUSR2');
  const ticksPerSecond = clockTicksPerSecond();
  const cpuSeconds = {
    kubelet: (cpuAfter.kubelet - cpuBefore.kubelet) / ticksPerSecond,
    runner: (cpuAfter.runner - cpuBefore.runner) / ticksPerSecond,
  };

  const quietSeconds = Math.min(QUIET_SECONDS_MAX, flags.footprintSeconds);
  progress.start(`footprint: ${quietSeconds} s with metrics-server paused`, quietSeconds);
  const quiet = await withMetricsServerPaused(ctx, async (paused) => ({
    paused,
    window: await cpuOver(ctx, quietSeconds, (elapsed) => progress.update(elapsed)),
    perScrape: await scrapeCost(ctx, TIMED_SCRAPES),
  }));
  progress.finish();

  const deleteStartMs = Date.now();
  const deletes = await deleteAll(ctx, `footprint: deleting ${count} pods`, names);
  progress.finish();
  const gone = await waitForPods(ctx, 'footprint: waiting until deleted', names, ['gone'], 300_000);
  const deleteSeconds = (Date.now() - deleteStartMs) / 1000;

  const mb = (kb: number): number => kb / 1024;
  const v = (name: string, label: string, value: number, unit: string) =>
    valueRow('footprint', name, label, value, unit, flags);
  const rows: ReportRow[] = [
    v(
      'create_to_all_running_seconds',
      `first create -> ${count} pods Running`,
      running.timedOut ? NaN : allRunningSeconds,
      's',
    ),
    ...(['kubelet', 'runner'] as const).flatMap((part) => {
      const held = stepStillRunning === stepCount;
      return [
        v(
          `${part}_rss_200_mb`,
          `${part} RSS steady with ${stepCount} pods running (mean VmRSS over ${Math.round(step.seconds)} s)`,
          held ? step[part].rssMb : Number.NaN,
          'MB',
        ),
        ...rssPartRows('footprint', `${part}_rss_200`, held ? step[part] : undefined, flags),
        ...(part === 'kubelet'
          ? [
              v(
                'kubelet_heap_total_200_mb',
                '  kubelet V8 heap size with them (end of the window)',
                stepHeapMb.heapTotal,
                'MB',
              ),
            ]
          : []),
      ];
    }),
    ...(['kubelet', 'runner'] as const).flatMap((part) => [
      v(
        `${part}_rss_peak_mb`,
        `${part} RSS peak (VmHWM${peakReset ? '' : ' since start'})`,
        mb(peakKb[part]),
        'MB',
      ),
      v(
        `${part}_rss_steady_mb`,
        `${part} RSS steady (mean VmRSS over ${Math.round(windowSeconds)} s)`,
        mb(summarize(rssKb[part]).mean),
        'MB',
      ),
    ]),
    ...(['kubelet', 'runner'] as const).flatMap((part) => [
      v(
        `${part}_idle_cpu_percent`,
        `${part} idle CPU, nothing scraping (${quiet.window.cpu[part].toFixed(2)} s in ${Math.round(quiet.window.seconds)} s)`,
        quiet.paused ? (quiet.window.cpu[part] / quiet.window.seconds) * 100 : Number.NaN,
        '% core',
      ),
      v(
        `${part}_scraped_cpu_percent`,
        `  ${part} CPU with metrics-server scraping (${cpuSeconds[part].toFixed(2)} s in ${Math.round(windowSeconds)} s)`,
        (cpuSeconds[part] / windowSeconds) * 100,
        '% core',
      ),
      v(
        `${part}_scrape_cpu_ms`,
        `  ${part} CPU per /metrics/resource scrape`,
        quiet.perScrape[part] * 1000,
        'ms',
      ),
    ]),
    v('kubelet_heap_used_mb', '  kubelet V8 heap used (end of window)', heapMb.heapUsed, 'MB'),
    v('kubelet_heap_total_mb', '  kubelet V8 heap size (end of window)', heapMb.heapTotal, 'MB'),
    v(
      'kubelet_idle_api_requests_per_second',
      'kubelet API server requests while idle',
      sum(requestDeltas) / windowSeconds,
      'req/s',
    ),
    v(
      'kubelet_idle_served_per_second',
      'kubelet HTTPS requests served while idle',
      sum(servedDeltas) / windowSeconds,
      'req/s',
    ),
    v(
      'delete_to_all_gone_seconds',
      `first delete -> ${count} pods gone`,
      gone.timedOut ? NaN : deleteSeconds,
      's',
    ),
  ];
  const warnings = batchWarnings('footprint', count, creates, deletes, 0, running, gone);
  if (stepStillRunning < stepCount)
    warnings.push(
      `footprint: only ${stepStillRunning} of the first ${stepCount} pods were running during the RSS step; no figure`,
    );
  if (stillRunning < count)
    warnings.push(
      `footprint: only ${stillRunning} of ${count} pods were still running at the end of the window`,
    );
  if (heapSnapshotRequested)
    warnings.push(
      `footprint: the kubelet held ${heapMb.heapUsed.toFixed(0)} MB of live heap; it was asked for a heap snapshot in ${path.relative(process.cwd(), HEAP_SNAPSHOT_DIR) || '.'}`,
    );
  if (!quiet.paused)
    warnings.push('footprint: metrics-server could not be paused; no figure for idle CPU without scrapes');
  if (!peakReset)
    warnings.push('footprint: could not reset VmHWM; peaks include everything since the processes started');
  return {
    rows,
    warnings,
    details: {
      pods: count,
      windowSeconds,
      settleMs: SETTLE_MS,
      rssStep: { pods: stepCount, stillRunning: stepStillRunning, ...step, kubeletMemoryMb: stepHeapMb },
      peakRssReset: peakReset,
      rssSamplesKb: rssKb,
      peakRssKb: peakKb,
      cpuSeconds,
      quietWindow: quiet,
      clockTicksPerSecond: ticksPerSecond,
      idleApiRequests: Object.fromEntries(requestDeltas),
      idleRequestsServed: Object.fromEntries(servedDeltas),
      kubeletMemoryMb: heapMb,
      metricsAuth:
        'cluster admin client certificate (kubelet default: x509 client certs + Webhook authorization)',
    },
  };
}
