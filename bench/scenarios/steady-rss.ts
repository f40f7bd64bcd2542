import type { BenchFlags, ScenarioName } from '../bench-flags.js';
import type { ClusterContext } from '../bench-context.js';
import { realClock } from '../pacing.js';
import { readProcMemory, type ProcMemory } from '../proc-stats.js';
import { valueRow, type ReportRow } from '../report-rows.js';
import { summarize } from '../stats.js';

/** Mean resident memory of one process over a window, in MB: VmRSS and its two main parts. */
export interface RssParts {
  rssMb: number;
  /** Mapped files' pages (RssFile): for Node.js mostly its own binary. */
  fileMb: number;
  /** Anonymous memory (RssAnon): the V8 heap, malloc, thread stacks. */
  anonMb: number;
}

/** The mean resident memory of vk-cmd's two processes over a window. */
export interface SteadyRss {
  kubelet: RssParts;
  runner: RssParts;
  seconds: number;
  samples: number;
}

/** One reading's parts, in MB. */
export function rssParts(m: ProcMemory): RssParts {
  return { rssMb: m.vmRssKb / 1024, fileMb: m.rssFileKb / 1024, anonMb: m.rssAnonKb / 1024 };
}

/**
 * The two rows under an RSS row that split it: `<name>_file_mb` (RssFile)
 * and `<name>_anon_mb` (RssAnon), each NaN when `parts` is undefined.
 */
export function rssPartRows(
  scenario: ScenarioName,
  name: string,
  parts: RssParts | undefined,
  flags: BenchFlags,
): ReportRow[] {
  return [
    valueRow(
      scenario,
      `${name}_file_mb`,
      '  of it mapped files, mostly the node binary (RssFile)',
      parts?.fileMb ?? Number.NaN,
      'MB',
      flags,
    ),
    valueRow(
      scenario,
      `${name}_anon_mb`,
      '  of it anonymous memory: V8 heap, malloc, stacks (RssAnon)',
      parts?.anonMb ?? Number.NaN,
      'MB',
      flags,
    ),
  ];
}

function meanParts(samples: readonly ProcMemory[]): RssParts {
  const meanMb = (kb: (m: ProcMemory) => number): number => summarize(samples.map(kb)).mean / 1024;
  return {
    rssMb: meanMb((m) => m.vmRssKb),
    fileMb: meanMb((m) => m.rssFileKb),
    anonMb: meanMb((m) => m.rssAnonKb),
  };
}

/**
 * Steady RSS with the pods that are running now: waits `settleMs` (trailing
 * status writes and garbage), then samples /proc/<pid>/status of both
 * processes every second for `seconds` and averages.
 */
export async function steadyRss(
  ctx: ClusterContext,
  pids: { kubelet: number; runner: number },
  label: string,
  settleMs: number,
  seconds: number,
): Promise<SteadyRss> {
  ctx.progress.start(`${label}: settling`, 0);
  await realClock.sleep(settleMs, ctx.signal);
  ctx.progress.finish();
  ctx.progress.start(`${label}: sampling RSS`, Math.round(seconds));
  const samples = { kubelet: [] as ProcMemory[], runner: [] as ProcMemory[] };
  const startMs = Date.now();
  for (let i = 1; Date.now() - startMs < seconds * 1000; i++) {
    samples.kubelet.push(readProcMemory(pids.kubelet));
    samples.runner.push(readProcMemory(pids.runner));
    ctx.progress.update(Math.min(Math.round(seconds), i));
    await realClock.sleep(Math.max(0, startMs + i * 1000 - Date.now()), ctx.signal);
  }
  ctx.progress.finish();
  return {
    kubelet: meanParts(samples.kubelet),
    runner: meanParts(samples.runner),
    seconds: (Date.now() - startMs) / 1000,
    samples: samples.kubelet.length,
  };
}
