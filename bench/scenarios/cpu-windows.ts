import { kubeletGet } from '../../test/e2e/support/https-get.js';
import type { ClusterContext } from '../bench-context.js';
import { realClock } from '../pacing.js';
import { clockTicksPerSecond, readCpuTicks } from '../proc-stats.js';

/** CPU seconds of the kubelet and the runner. */
export interface CpuPair {
  kubelet: number;
  runner: number;
}

function cpuSeconds(ctx: ClusterContext): CpuPair {
  const ticks = clockTicksPerSecond();
  return {
    kubelet: readCpuTicks(ctx.node.kubelet!.pid!) / ticks,
    runner: readCpuTicks(ctx.node.runner!.pid!) / ticks,
  };
}

const minus = (a: CpuPair, b: CpuPair): CpuPair => ({
  kubelet: a.kubelet - b.kubelet,
  runner: a.runner - b.runner,
});

/**
 * Runs `fn` with metrics-server paused (SIGSTOP), so that nothing scrapes
 * the kubelet meanwhile, and resumes it whatever happens. `paused` is false
 * when there is no metrics-server pid or it may not be stopped; `fn` then
 * runs with scrapes going on.
 */
export async function withMetricsServerPaused<T>(
  ctx: ClusterContext,
  fn: (paused: boolean) => Promise<T>,
): Promise<T> {
  const pid = ctx.metricsServerPid;
  let paused = false;
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGSTOP');
      paused = true;
    } catch {
      // gone, or not ours to stop
    }
  }
  try {
    return await fn(paused);
  } finally {
    if (paused) process.kill(pid!, 'SIGCONT');
  }
}

/**
 * CPU the two processes use over `seconds`. With metrics-server paused this
 * is what they spend on their own (lease renewals, resyncs, timers): busy
 * polling would show here.
 */
export async function cpuOver(
  ctx: ClusterContext,
  seconds: number,
  onSecond: (elapsed: number) => void,
): Promise<{ cpu: CpuPair; seconds: number }> {
  const before = cpuSeconds(ctx);
  const startMs = Date.now();
  for (let i = 1; Date.now() - startMs < seconds * 1000; i++) {
    await realClock.sleep(Math.max(0, startMs + i * 1000 - Date.now()), ctx.signal);
    onSecond(i);
  }
  return { cpu: minus(cpuSeconds(ctx), before), seconds: (Date.now() - startMs) / 1000 };
}

/**
 * CPU per `/metrics/resource` request, the one metrics-server makes every
 * resolution period, averaged over `count` requests made one after another.
 * The runner's share is the GetStats call behind each request.
 */
export async function scrapeCost(ctx: ClusterContext, count: number): Promise<CpuPair> {
  const before = cpuSeconds(ctx);
  for (let i = 0; i < count; i++) {
    const res = await kubeletGet(ctx.node.kubeletPort, '/metrics/resource', {
      cert: ctx.adminCert,
      key: ctx.adminKey,
    });
    if (res.status !== 200) throw new Error(`kubelet /metrics/resource answered ${res.status}`);
  }
  const used = minus(cpuSeconds(ctx), before);
  return { kubelet: used.kubelet / count, runner: used.runner / count };
}
