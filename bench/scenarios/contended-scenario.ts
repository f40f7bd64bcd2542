import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import { Burners, defaultBurnerCount } from '../burners.js';
import { runPacedLifecycle } from './latency-scenario.js';

/**
 * The latency scenario on a busy login node: `--burners` busy-loop processes
 * (default twice the CPUs) at nice 0 run through the idle baseline and the
 * paced lifecycle of `--contended-pods` pods, competing with the runner and
 * kubelet (also nice 0) while the control plane and the benchmark stay ahead
 * at nice -10. The burners are stopped afterwards, and on any exit through
 * the clean-up stack.
 */
export async function runContendedScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  const count = ctx.flags.burners ?? defaultBurnerCount();
  const burners = new Burners(count, ctx.priorities);
  burners.start(ctx.cleanup);
  ctx.progress.log(`contended: ${count} CPU burners running (pids ${burners.pids.join(' ')})`);
  try {
    const result = await runPacedLifecycle(ctx, 'contended', ctx.flags.contendedPods);
    const alive = burners.alive();
    if (alive < count)
      result.warnings.push(`contended: only ${alive} of ${count} CPU burners were still running at the end`);
    result.details['burners'] = count;
    result.details['burnersAliveAtEnd'] = alive;
    return result;
  } finally {
    await burners.stop();
  }
}
