// What V8's optimising tier costs the runner (decision 0017): `runner-cost`
// (a private runner, --pods pods at 20/s over gRPC, no control plane) run
// alternately with bin/vk-cmd-runner's flags and with the same flags but
// TurboFan left on, so both see the same machine. Each run is a fresh runner
// process; CPU is its utime+stime per pod lifecycle with its idle rate taken
// off, RSS is VmRSS with every pod running. --node PATH runs the runner on
// another Node.js and --runner-main FILE another entry file: the release
// tarball's `bin/node` and `lib/vk-cmd-runner.mjs`, for which its earlier
// launcher's flags (source maps on, TurboFan on) are measured too.
// Usage (after `make build`):
//   node dist/bench/decisions/node-tiers.js [--pods 200] [--rounds 3] [--node PATH --runner-main FILE]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { RUNNER_NODE_FLAGS } from '../runner-process.js';
import { REPO_ROOT, flagValue, loadAverage, printTable, runChild, type Row } from './measure-support.js';

const RUNNER_COST = path.join(REPO_ROOT, 'dist', 'bench', 'runner-cost.js');
const WITHOUT_TURBOFAN = '--no-turbofan';

interface RunnerCost {
  cpuMsPerPod: { runner: number };
  rssAllRunningMb: { runner: number };
}

function runnerCost(
  node: string,
  main: string | undefined,
  pods: string,
  nodeFlags: readonly string[],
): Promise<RunnerCost> {
  const args = ['--pods', pods, '--rate', '20', `--node-flags=${nodeFlags.join(' ')}`];
  if (main) args.push('--runner-main', main);
  return runChild<RunnerCost>(RUNNER_COST, args, [], node);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const pods = flagValue(argv, '--pods', '200');
  const rounds = Number(flagValue(argv, '--rounds', '3'));
  const node = flagValue(argv, '--node', process.execPath);
  const main = argv.includes('--runner-main')
    ? path.resolve(flagValue(argv, '--runner-main', ''))
    : undefined;
  if (!RUNNER_NODE_FLAGS.includes(WITHOUT_TURBOFAN))
    throw new Error(`the runner's flags lack ${WITHOUT_TURBOFAN}`);
  const withTurbofan = RUNNER_NODE_FLAGS.filter((f) => f !== WITHOUT_TURBOFAN);
  const sets = [
    { name: 'bin/vk-cmd-runner (no TurboFan)', flags: RUNNER_NODE_FLAGS },
    { name: 'with TurboFan', flags: withTurbofan },
    ...(main
      ? [{ name: 'with TurboFan and source maps', flags: ['--enable-source-maps', ...withTurbofan] }]
      : []),
  ];
  const cpu = sets.map(() => ({ values: [] as number[], loadAvgs: [] as string[] }));
  const rss = sets.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, set] of sets.entries()) {
      cpu[i]!.loadAvgs.push(loadAverage());
      const r = await runnerCost(node, main, pods, set.flags);
      cpu[i]!.values.push(r.cpuMsPerPod.runner);
      rss[i]!.push(r.rssAllRunningMb.runner);
    }
  }
  const rows: Row[] = sets.flatMap((s, i) => [
    {
      name: `${s.name}: CPU per pod lifecycle`,
      values: cpu[i]!.values,
      loadAvgs: cpu[i]!.loadAvgs,
      digits: 2,
      unit: 'ms',
    },
    {
      name: `${s.name}: RSS, ${pods} pods running`,
      values: rss[i]!,
      loadAvgs: cpu[i]!.loadAvgs,
      digits: 1,
      unit: 'MB',
    },
  ]);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const what = main ? path.basename(main) : 'dist/src/runner';
  printTable(`runner-cost, ${pods} pods at 20/s, ${rounds} alternated rounds (${what} on ${version})`, rows);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
