/**
 * `make bench`: latency, throughput and footprint of vk-cmd on a local control
 * plane with a real runner and kubelet. Prints a table against the product's
 * targets and writes the full result to bench/results/. A report, not a test:
 * it exits 0 when targets are missed, 1 when a scenario could not run, 2 on
 * bad flags and 130 when interrupted (after cleaning up either way).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../test/e2e/support/paths.js';
import type { BenchBase, ClusterContext, ScenarioResult } from './bench-context.js';
import {
  BenchFlagError,
  HELP_TEXT,
  parseBenchArgs,
  RUNNER_ONLY_SCENARIOS,
  type BenchFlags,
  type ScenarioName,
} from './bench-flags.js';
import { setUpCluster } from './bench-setup.js';
import { CleanupStack } from './cleanup-stack.js';
import { latencySvg } from './latency-plot.js';
import { Priorities } from './priority.js';
import { readProcMemory } from './proc-stats.js';
import { Progress } from './progress.js';
import type { ReportRow } from './report-rows.js';
import { formatReport, type ScenarioFailure, type ScenarioRun } from './report-table.js';
import { collectRunInfo, writeResult, type BenchResult } from './results-file.js';
import { runBurstScenario } from './scenarios/burst-scenario.js';
import { runContendedScenario } from './scenarios/contended-scenario.js';
import { runHugePodScenario } from './scenarios/huge-pod-scenario.js';
import { runFootprintScenario } from './scenarios/footprint-scenario.js';
import { runLatencyScenario } from './scenarios/latency-scenario.js';
import { removeScenarioPods } from './scenarios/pod-waits.js';
import { runExecApiScenario } from './scenarios/exec-api-scenario.js';
import { runExecScenario } from './scenarios/exec-scenario.js';
import { runFleetScenario } from './scenarios/fleet-scenario.js';
import { runProbesScenario } from './scenarios/probes-scenario.js';
import { runRunnerScenario } from './scenarios/runner-scenario.js';

class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

type RunnerOnlyName = 'runner' | 'exec' | 'probes';

const RUNNER_SCENARIOS: Record<RunnerOnlyName, (base: BenchBase) => Promise<ScenarioResult>> = {
  runner: runRunnerScenario,
  exec: runExecScenario,
  probes: runProbesScenario,
};

const CLUSTER_SCENARIOS: Record<
  Exclude<ScenarioName, RunnerOnlyName>,
  (ctx: ClusterContext) => Promise<ScenarioResult>
> = {
  latency: runLatencyScenario,
  contended: runContendedScenario,
  hugepod: runHugePodScenario,
  burst: runBurstScenario,
  footprint: runFootprintScenario,
  'exec-api': runExecApiScenario,
  fleet: runFleetScenario,
};

async function main(argv: string[]): Promise<number> {
  let flags: BenchFlags;
  try {
    const parsed = parseBenchArgs(argv);
    if (parsed.kind === 'help') {
      process.stdout.write(HELP_TEXT);
      return 0;
    }
    flags = parsed.flags;
  } catch (err) {
    if (!(err instanceof BenchFlagError)) throw err;
    process.stderr.write(`bench: ${err.message}\n`);
    return 2;
  }

  const startedAtMs = Date.now();
  const info = collectRunInfo(REPO_ROOT);
  // First, so that everything started from here on (the control plane) inherits it.
  const priorities = new Priorities();
  priorities.raiseSelf();
  const progress = new Progress({
    isTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
    write: (text) => process.stderr.write(text),
  });
  const ticker = setInterval(() => progress.refresh(), 1000);
  const abort = new AbortController();
  const cleanup = new CleanupStack();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      progress.log(`${signal}: stopping and cleaning up (Ctrl-C twice more to exit at once)`);
      abort.abort(new Interrupted(signal));
    } else if (signals >= 3) {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(
    `vk-cmd bench  commit ${info.commit.slice(0, 12) || 'unknown'}${info.dirty ? ' (uncommitted changes)' : ''}  ` +
      `${info.machine.nproc} CPUs  ${(info.machine.memoryTotalBytes / 2 ** 30).toFixed(1)} GiB  ` +
      `load ${info.machine.loadAverageAtStart.join(' ')}  ${info.date}`,
  );
  console.log(`flags: ${JSON.stringify(flags)}`);
  if (!priorities.raised) progress.log(priorities.summary());
  const base: BenchBase = { flags, progress, signal: abort.signal, priorities, cleanup };
  const runs: ScenarioRun[] = [];
  const rows: ReportRow[] = [];
  const warnings: string[] = [];
  const failures: ScenarioFailure[] = [];
  const scenarios: Record<string, unknown> = {};
  let cluster: BenchResult['cluster'] = null;
  let ctx: ClusterContext | undefined;
  try {
    for (const scenario of flags.scenarios) {
      abort.signal.throwIfAborted();
      const runnerOnly = RUNNER_ONLY_SCENARIOS.includes(scenario);
      if (!runnerOnly && !ctx) {
        const setUp = await setUpCluster(base, cleanup);
        ctx = setUp.ctx;
        cluster = {
          reused: setUp.reused,
          bindsPodsVia: flags.viaScheduler ? 'kube-scheduler' : 'spec.nodeName',
        };
      }
      const startedMs = Date.now();
      const loadAtStart = loadAverage();
      const rssBefore = ctx && !runnerOnly ? nodeRss(ctx) : undefined;
      const run: ScenarioRun = { scenario, seconds: Number.NaN, loadAtStart, loadAtEnd: [] };
      runs.push(run);
      try {
        const result = await (
          runnerOnly
            ? RUNNER_SCENARIOS[scenario as RunnerOnlyName](base)
            : CLUSTER_SCENARIOS[scenario as Exclude<ScenarioName, RunnerOnlyName>](ctx!)
        ).finally(() => {
          run.seconds = (Date.now() - startedMs) / 1000;
          run.loadAtEnd = loadAverage();
        });
        rows.push(...result.rows);
        warnings.push(...result.warnings);
        const rssAfter = rssBefore ? nodeRss(ctx!) : undefined;
        scenarios[scenario] = {
          ...result.details,
          durationSeconds: (Date.now() - startedMs) / 1000,
          loadAverageAtStart: loadAtStart,
          loadAverageAtEnd: run.loadAtEnd,
          ...(rssBefore ? { rssMbBefore: rssBefore, rssMbAfter: rssAfter } : {}),
        };
        progress.log(
          `${scenario}: done in ${((Date.now() - startedMs) / 1000).toFixed(1)} s` +
            (rssAfter ? `; RSS now: kubelet ${rssAfter.kubelet} MB, runner ${rssAfter.runner} MB` : ''),
        );
      } catch (err) {
        if (abort.signal.aborted) throw abort.signal.reason as Error;
        progress.finish();
        failures.push({ scenario, message: (err as Error).message });
        progress.log(`${scenario}: failed: ${(err as Error).stack ?? String(err)}`);
        if (!runnerOnly && ctx) {
          await removeScenarioPods(ctx, scenario).catch((e: unknown) =>
            progress.log(`${scenario}: could not remove its pods: ${(e as Error).message}`),
          );
        }
      }
    }
  } catch (err) {
    progress.finish();
    if (!(err instanceof Interrupted)) {
      failures.push({ scenario: 'setup', message: (err as Error).message });
      progress.log(`bench: ${(err as Error).stack ?? String(err)}`);
    }
  } finally {
    progress.start('cleaning up');
    await cleanup.runAll((message) => progress.log(message));
    progress.finish();
    clearInterval(ticker);
  }

  console.log('');
  console.log(formatReport(rows, failures, runs));
  for (const w of warnings) console.log(`warning: ${w}`);
  console.log(priorities.summary());
  if (cluster && !flags.viaScheduler) {
    console.log(
      'Pods are bound with spec.nodeName (the scheduler is bypassed): the figures measure the kubelet path.',
    );
  }
  const result: BenchResult = {
    ...info,
    flags,
    cluster,
    priorities: { raised: priorities.raised, applied: priorities.applied, problems: priorities.problems },
    scenarioRuns: runs,
    rows,
    scenarios,
    warnings,
    failures,
    durationSeconds: (Date.now() - startedAtMs) / 1000,
  };
  const file = writeResult(flags.resultsDir ?? path.join(REPO_ROOT, 'bench', 'results'), result);
  console.log(`Full results: ${path.relative(process.cwd(), file) || file}`);
  const load = runs
    .filter((r) => r.scenario === 'latency' || r.scenario === 'contended')
    .map((r) => `${r.scenario} ${r.loadAtStart[0] ?? '?'} -> ${r.loadAtEnd[0] ?? '?'}`)
    .join(', ');
  const svg = latencySvg(
    rows,
    `commit ${info.commit.slice(0, 12) || 'unknown'}, ${info.machine.nproc} CPUs, ${flags.ratePerSecond} pods/s` +
      `${flags.quick ? ', --quick sizes' : ''}; load average (1 min) ${load}; ${info.date}`,
  );
  if (svg) {
    const svgFile = file.replace(/\.json$/, '.svg');
    writeFileSync(svgFile, svg);
    console.log(`Latency plot: ${path.relative(process.cwd(), svgFile) || svgFile}`);
  }
  if (abort.signal.aborted) return 130;
  return failures.length ? 1 : 0;
}

/** os.loadavg() rounded to hundredths. */
function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** Current RSS of the node's two processes in MB (NaN when one has exited), to spot growth across scenarios. */
function nodeRss(ctx: ClusterContext): { kubelet: number; runner: number } {
  const mb = (pid: number | undefined): number => {
    try {
      return pid ? Math.round(readProcMemory(pid).vmRssKb / 102.4) / 10 : Number.NaN;
    } catch {
      return Number.NaN;
    }
  };
  return { kubelet: mb(ctx.node.kubelet?.pid), runner: mb(ctx.node.runner?.pid) };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
