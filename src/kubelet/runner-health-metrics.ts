import type { Metric, Registry } from 'prom-client';
import { EVENT_LOOP_DELAY_RESOLUTION_MS } from '../common/event-loop-delay.js';
import type { RunnerHealth__Output } from '../generated/vkcmd/runner/v1/RunnerHealth.js';
import { histogramSamples, type ExpositionSample } from './event-loop-delay-metrics.js';

/** One metric family as prom-client's registry formats it. */
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  values: ExpositionSample[];
}

const single = (name: string, value: number): ExpositionSample[] => [{ metricName: name, labels: {}, value }];

/**
 * The runner's health (GetRunnerHealth) as `vkcmd_runner_*` families: its
 * event-loop delay as the cumulative histogram the runner keeps (so any
 * window is the difference of two scrapes, whoever else asks) and its
 * all-time max, RSS, pods held, /proc scans and the time the last scan round
 * blocked its event loop, and its start time. Empty when the runner could not
 * be asked. Pure.
 */
export function runnerHealthFamilies(health: RunnerHealth__Output | undefined): Family[] {
  const families: Family[] = [
    {
      name: 'vkcmd_runner_event_loop_delay_seconds',
      help: `Event-loop delay of vk-cmd-runner: how late a ${EVENT_LOOP_DELAY_RESOLUTION_MS} ms timer ran, sampled every ${EVENT_LOOP_DELAY_RESOLUTION_MS} ms since it started.`,
      type: 'histogram',
      values: [],
    },
    {
      name: 'vkcmd_runner_event_loop_delay_max_seconds',
      help: 'Longest event-loop delay of vk-cmd-runner since it started.',
      type: 'gauge',
      values: [],
    },
    { name: 'vkcmd_runner_resident_memory_bytes', help: 'RSS of vk-cmd-runner.', type: 'gauge', values: [] },
    {
      name: 'vkcmd_runner_pods',
      help: 'Pods vk-cmd-runner holds, deleting ones included.',
      type: 'gauge',
      values: [],
    },
    {
      name: 'vkcmd_runner_proc_scans_total',
      help: 'Full /proc scans vk-cmd-runner made since it started.',
      type: 'counter',
      values: [],
    },
    {
      name: 'vkcmd_runner_last_proc_scan_round_seconds',
      help: "How long vk-cmd-runner's last /proc scan round (the scan and the callbacks that waited for it) blocked its event loop.",
      type: 'gauge',
      values: [],
    },
    {
      name: 'vkcmd_runner_start_time_seconds',
      help: 'When vk-cmd-runner started, in seconds since the epoch.',
      type: 'gauge',
      values: [],
    },
  ];
  if (!health) return families;
  const [delay, max, rss, pods, scans, lastScan, start] = families as [
    Family,
    Family,
    Family,
    Family,
    Family,
    Family,
    Family,
  ];
  const samples = health.eventLoopDelay?.samples ?? 0;
  delay.values = histogramSamples(delay.name, {
    boundsMs: health.eventLoopDelayBoundsMs,
    cumulativeCounts: health.eventLoopDelayCounts,
    count: samples,
    sumMs: health.eventLoopDelaySumMs,
    maxMs: health.eventLoopDelay?.maxMs ?? 0,
  });
  max.values = single(max.name, (health.eventLoopDelay?.maxMs ?? 0) / 1000);
  rss.values = single(rss.name, health.rssBytes);
  pods.values = single(pods.name, health.pods);
  scans.values = single(scans.name, health.procScans);
  lastScan.values = single(lastScan.name, health.lastProcScanRoundMs / 1000);
  if (health.startedAtMs > 0) start.values = single(start.name, health.startedAtMs / 1000);
  return families;
}

/**
 * Serves `runnerHealthFamilies` on the registry. Each scrape asks the runner
 * once (the families share the answer for `reuseMs`), so a scrape costs one
 * call however many families there are.
 */
export function registerRunnerHealthMetrics(
  registry: Registry,
  ask: () => Promise<RunnerHealth__Output | undefined>,
  nowMs: () => number = Date.now,
  reuseMs = 1000,
): void {
  let last: { atMs: number; answer: Promise<RunnerHealth__Output | undefined> } | undefined;
  const health = (): Promise<RunnerHealth__Output | undefined> => {
    const now = nowMs();
    if (!last || now - last.atMs > reuseMs) last = { atMs: now, answer: ask() };
    return last.answer;
  };
  for (const [i, template] of runnerHealthFamilies(undefined).entries()) {
    const collector = {
      name: template.name,
      help: template.help,
      type: template.type,
      aggregator: 'sum',
      get: async () => ({ ...runnerHealthFamilies(await health())[i]!, aggregator: 'sum' }),
      reset: (): void => undefined,
    };
    registry.registerMetric(collector as unknown as Metric);
  }
}
