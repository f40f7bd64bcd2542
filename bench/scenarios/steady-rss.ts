import type { ClusterContext } from '../bench-context.js';
import { realClock } from '../pacing.js';
import { readProcMemory } from '../proc-stats.js';
import { summarize } from '../stats.js';

/** The mean VmRSS of vk-cmd's two processes over a window, in MB. */
export interface SteadyRss {
  kubeletMb: number;
  runnerMb: number;
  seconds: number;
  samples: number;
}

/**
 * Steady RSS with the pods that are running now: waits `settleMs` (trailing
 * status writes and garbage), then samples VmRSS of both processes every
 * second for `seconds` and averages.
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
  const kb = { kubelet: [] as number[], runner: [] as number[] };
  const startMs = Date.now();
  for (let i = 1; Date.now() - startMs < seconds * 1000; i++) {
    kb.kubelet.push(readProcMemory(pids.kubelet).vmRssKb);
    kb.runner.push(readProcMemory(pids.runner).vmRssKb);
    ctx.progress.update(Math.min(Math.round(seconds), i));
    await realClock.sleep(Math.max(0, startMs + i * 1000 - Date.now()), ctx.signal);
  }
  ctx.progress.finish();
  return {
    kubeletMb: summarize(kb.kubelet).mean / 1024,
    runnerMb: summarize(kb.runner).mean / 1024,
    seconds: (Date.now() - startMs) / 1000,
    samples: kb.kubelet.length,
  };
}
