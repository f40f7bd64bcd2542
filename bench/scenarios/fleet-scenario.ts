import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kill, spawnFleetKubelet, waitFleetKubeletUp } from '../../test/e2e/support/fleet-kubelet.js';
import { freePort } from '../../test/support/free-port.js';
import { makeDialInPki } from '../../test/support/dial-in-pki.js';
import { pgidsUnder } from '../../test/support/pgid-files.js';
import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import { cpuProfFlags, HEAP_SNAPSHOT_DIR } from '../bench-setup.js';
import { fleetNodeNames } from '../fleet-figures.js';
import { pooled } from '../pacing.js';
import { AHEAD_NICE } from '../priority.js';
import { readProcMemory } from '../proc-stats.js';
import type { ReportRow } from '../report-rows.js';
import type { RunnerWatch } from '../runner-watch.js';
import { FleetLeaseReader } from './fleet-leases.js';
import { LightRunners } from './fleet-light-runners.js';
import { startRealRunner, watchRunners } from './fleet-real-runners.js';
import { measureIdle, waitFleetReady } from './fleet-nodes.js';
import { pacedPodsOverNodes, podPerNode } from './fleet-pods.js';
import { emptyFigures, fleetRows } from './fleet-rows.js';

const SCENARIO = 'fleet';
const TOKEN = 'bench-fleet-token';

/** One round: N nodes on one fresh fleet kubelet, their runners real processes or light in-process ones. */
interface Round {
  kind: 'real' | 'light';
  nodes: number;
  /** The row name prefix and what the labels say the runners were. */
  id: string;
  what: string;
}

/**
 * N nodes on one `vk-cmd-kubelet --fleet` process, each served by a runner
 * that dials in: `--fleet-nodes` real vk-cmd-runner processes, then
 * `--fleet-light-nodes` light runners inside the bench process (an in-memory
 * Runner service over the real dial-out handshake; their pods run nothing).
 * Each round starts its own kubelet and measures: time from the first
 * runner started to every node Ready; the kubelet's CPU over the
 * `--fleet-settle-seconds` after that (each node's first scrapes, code
 * warming up); its RSS and CPU over the next `--fleet-idle-seconds` with
 * no pods (leases and node status only), and
 * the API requests its nodes sent then (the sum of every node's
 * vkcmd_kubelet_apiserver_requests_total, scraped before and after); then
 * pods: in the real round `--fleet-pods-per-node` short pods per node at
 * --rate spread over the nodes (create -> Running, process exit ->
 * Terminated), in the light round one pod per node, all at once (create ->
 * Running; light runners' pods never exit). From all Ready to the end, the
 * Leases are read every 2 s and each renewal judged against its due time.
 */
export async function runFleetScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  const rounds: Round[] = [];
  if (ctx.flags.fleetNodes > 0) {
    rounds.push({ kind: 'real', nodes: ctx.flags.fleetNodes, id: 'real', what: 'runner processes' });
  }
  if (ctx.flags.fleetLightNodes > 0) {
    rounds.push({
      kind: 'light',
      nodes: ctx.flags.fleetLightNodes,
      id: 'light',
      what: 'light in-process runners (in-memory Runner service over the real dial-out)',
    });
  }
  const rows: ReportRow[] = [];
  const warnings: string[] = [];
  const details: Record<string, unknown> = {};
  for (const round of rounds) {
    if (ctx.signal.aborted) break;
    const result = await runRound(ctx, round);
    rows.push(...result.rows);
    warnings.push(...result.warnings);
    details[round.id] = result.details;
  }
  return { rows, warnings, details };
}

async function runRound(ctx: ClusterContext, round: Round): Promise<ScenarioResult> {
  const { flags, progress } = ctx;
  const n = round.nodes;
  const dir = mkdtempSync(path.join(os.tmpdir(), `vk-cmd-bench-fleet-${round.id}-`));
  const pki = makeDialInPki(dir);
  const suffix = Math.random().toString(36).slice(2, 7);
  const names = fleetNodeNames(`vk-fleet-${round.id}-${suffix}`, n);
  writeFileSync(path.join(dir, 'tokens'), `${TOKEN} vk-fleet-${round.id}-${suffix}-*\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  const acceptPort = await freePort();
  // A block of ports for the nodes' kubelet APIs, above the ephemeral range's usual start.
  const portFrom = 20_000 + Math.floor(Math.random() * 20) * 500;
  const runners: ChildProcess[] = [];
  const watches = new Map<string, RunnerWatch>();
  const leases = new FleetLeaseReader(ctx, `vk-fleet-${round.id}-${suffix}-`);
  let light: LightRunners | undefined;
  const kubeletStartMs = Date.now();
  const kubelet = spawnFleetKubelet({
    dir,
    pki,
    tokensFile: path.join(dir, 'tokens'),
    acceptPort,
    portFrom,
    portCount: Math.max(10, n + 10),
    runnerUnreachableGraceSeconds: 40,
    kubeconfigPath: ctx.kubeconfigPath,
    extraArgs: ['--klog.v', String(flags.logVerbosity), '--node-labels', `vk-cmd.io/bench-fleet=${suffix}`],
    // SIGUSR2 writes a heap snapshot into bench/results, as for the bench's own node.
    nodeFlags: [
      ...cpuProfFlags(flags.cpuProfDir),
      ...flags.fleetKubeletNodeFlags,
      '--heapsnapshot-signal=SIGUSR2',
      `--diagnostic-dir=${HEAP_SNAPSHOT_DIR}`,
    ],
  });
  let stopped = false;
  /** Set when not every node turned Ready: the kubelet's and runners' logs are kept. */
  let keepDir = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    leases.stop();
    for (const w of watches.values()) w.stop();
    light?.stop();
    await Promise.all(runners.map((r) => kill(r, 'SIGTERM')));
    await kill(kubelet, 'SIGTERM');
    await pooled(n, 16, (i) => ctx.api.deleteNode(names[i]!).catch(() => undefined));
    for (const pgid of pgidsUnder(dir)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (keepDir) progress.log(`${SCENARIO} ${round.id}: logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  ctx.cleanup.push(`fleet ${round.id} nodes`, stopAll);

  // A fleet kubelet runs near the cluster, on other hosts than the runners it
  // serves (deploy/hpc): ahead of them here, with the control plane.
  ctx.priorities.set('fleet kubelet', kubelet.pid, AHEAD_NICE);
  const figures = emptyFigures();
  const warnings: string[] = [];
  const kubeletPid = kubelet.pid!;
  let phase = 'starting the kubelet';
  let readyCount = 0;
  let idleTaken = false;
  // A phase that fails (an API error, a deadline, the abort) ends the round with the rows it has.
  try {
    progress.start(`${SCENARIO}: starting the kubelet`);
    await waitFleetKubeletUp(dir, 120_000);
    progress.finish();
    figures.rssBeforeKb = readProcMemory(kubeletPid).vmRssKb;

    // Every runner at once; the clock runs from the first start to the last node Ready.
    phase = 'nodes turning Ready';
    figures.startMs = Date.now();
    const url = `https://127.0.0.1:${acceptPort}`;
    if (round.kind === 'real') {
      for (const name of names) runners.push(startRealRunner(ctx, dir, name, url, pki.caFile));
    } else {
      light = new LightRunners({ url, caPem: readFileSync(pki.caFile), token: TOKEN });
      for (const name of names) light.add(name);
    }
    const readiness = await waitFleetReady(ctx, {
      nodes: n,
      labelSelector: `vk-cmd.io/bench-fleet=${suffix}`,
      kubeletLog: path.join(dir, 'kubelet.log'),
      startMs: figures.startMs,
      label: `${SCENARIO} ${round.id}`,
    });
    readyCount = readiness.ready.size;
    figures.allReadySeconds = readiness.allReadySeconds;
    figures.reachedMs = readiness.reachedMs;
    keepDir = readyCount < n;
    if (readyCount < n)
      warnings.push(`${SCENARIO} ${round.id}: only ${readyCount} of ${n} nodes turned Ready`);

    leases.start();
    if (round.kind === 'real' && flags.fleetPodsPerNode > 0) {
      phase = 'watching the runners';
      warnings.push(...(await watchRunners(ctx, dir, names, watches)));
    }

    // Idle: no pods; what is left is leases, node status and the runner links.
    phase = 'the idle window';
    leases.take();
    const idle = await measureIdle(ctx, {
      kubeletPid,
      labelSelector: `vk-cmd.io/bench-fleet=${suffix}`,
      settleSeconds: flags.fleetSettleSeconds,
      seconds: flags.fleetIdleSeconds,
      label: `${SCENARIO} ${round.id}`,
    });
    Object.assign(figures, idle.figures);
    figures.leaseIdle = leases.take();
    idleTaken = true;
    warnings.push(...idle.warnings);

    const readRss = (): void => {
      figures.rssPodsKb = readProcMemory(kubeletPid).vmRssKb;
    };
    if (round.kind === 'real' && flags.fleetPodsPerNode > 0) {
      phase = 'pods at the rate';
      // Set first: a round that ends in this phase still labels its rows for these pods.
      figures.podsPerNode = flags.fleetPodsPerNode;
      figures.exitToTerminated = { values: [], missing: names.length * flags.fleetPodsPerNode };
      const pods = await pacedPodsOverNodes(ctx, {
        roundId: round.id,
        suffix,
        nodes: names,
        perNode: flags.fleetPodsPerNode,
        watches,
        onFinished: readRss,
      });
      figures.running = pods.running;
      figures.exitToTerminated = pods.exitToTerminated;
      warnings.push(...pods.warnings);
    } else {
      phase = 'a pod per node';
      const pods = await podPerNode(ctx, round.id, suffix, names, readRss);
      figures.running = pods.running;
      warnings.push(...pods.warnings);
    }
  } catch (err) {
    progress.finish();
    keepDir = true;
    warnings.push(`${SCENARIO} ${round.id}: ended early, in ${phase}: ${(err as Error).message}`);
  }
  // The Leases read since the idle window's take: its phase's, however the round ended.
  if (idleTaken) figures.leasePods = leases.take();
  else figures.leaseIdle = leases.take();
  progress.start(`${SCENARIO} ${round.id}: removing the nodes`);
  await stopAll().catch((err: unknown) => warnings.push(`${SCENARIO} ${round.id}: cleanup: ${String(err)}`));
  progress.finish();

  return {
    rows: fleetRows(round, figures, flags),
    warnings,
    details: {
      nodes: n,
      ready: readyCount,
      endedIn: phase,
      allReadySeconds: figures.allReadySeconds,
      rssKb: { noNodes: figures.rssBeforeKb, idle: figures.rssIdleKb, withPods: figures.rssPodsKb },
      leases: { idle: figures.leaseIdle, pods: figures.leasePods, readFailures: leases.readFailures },
      idle: {
        // Seconds from the kubelet's spawn: where the window lies in its CPU profile.
        fromKubeletStartSeconds: (figures.windowStartMs - kubeletStartMs) / 1000,
        windowSeconds: figures.windowSeconds,
        requestWindowSeconds: figures.requestWindowSeconds,
        cpuSeconds: figures.cpuSeconds,
        requests: figures.requests,
        requestsByKind: figures.requestsByKind,
        unanswered: figures.unanswered,
      },
    },
  };
}
