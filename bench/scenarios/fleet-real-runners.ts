import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { spawnLogged } from '../../test/e2e/support/spawn-logged.js';
import { RUNNER_BIN } from '../../test/e2e/support/paths.js';
import { RUNNER_NODE_FLAGS } from '../../test/e2e/support/launch-settings.js';
import type { ClusterContext } from '../bench-context.js';
import { pooled, realClock } from '../pacing.js';
import { NORMAL_NICE } from '../priority.js';
import { RunnerWatch } from '../runner-watch.js';

/** A real vk-cmd-runner --connect process for node `name`, its log and root under `dir`. */
export function startRealRunner(
  ctx: ClusterContext,
  dir: string,
  name: string,
  url: string,
  caFile: string,
): ChildProcess {
  const root = path.join(dir, 'roots', name);
  // 0700: the runner serves its socket only from a directory nobody else can reach.
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const child = spawnLogged(
    dir,
    name,
    RUNNER_BIN,
    ['--connect', url, '--connect-ca', caFile, '--token-file', path.join(dir, 'token')].concat([
      '--node-name',
      name,
      '--root-dir',
      root,
      // Also serves its socket, for the bench's WatchPods stream (pods' exit times).
      '--listen',
      `unix://${path.join(root, 'runner.sock')}`,
      '--v',
      String(ctx.flags.logVerbosity),
    ]),
    process.env,
    RUNNER_NODE_FLAGS,
  );
  ctx.priorities.set('fleet runner', child.pid, NORMAL_NICE);
  return child;
}

/**
 * A WatchPods stream on every real runner's socket (their pods' exit times),
 * each tried again every second for up to 60 s (a runner still starting has
 * no socket yet); the failures as warnings.
 */
export async function watchRunners(
  ctx: ClusterContext,
  dir: string,
  names: string[],
  into: Map<string, RunnerWatch>,
): Promise<string[]> {
  const failed: string[] = [];
  const deadlineMs = Date.now() + 60_000;
  await pooled(names.length, 16, async (i) => {
    const name = names[i]!;
    for (;;) {
      const watch = new RunnerWatch(path.join(dir, 'roots', name, 'runner.sock'));
      try {
        await watch.start();
        into.set(name, watch);
        return;
      } catch (err) {
        watch.stop();
        if (Date.now() >= deadlineMs || ctx.signal.aborted) {
          failed.push(`${name}: ${String(err)}`);
          return;
        }
        await realClock.sleep(1_000, ctx.signal).catch(() => undefined);
      }
    }
  });
  return failed.length > 0
    ? [`fleet: ${failed.length} runner watches did not start (${failed.slice(0, 2).join('; ')})`]
    : [];
}
