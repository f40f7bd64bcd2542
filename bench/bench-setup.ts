import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestCluster } from '../test/e2e/support/cluster.js';
import { mustRun } from '../test/e2e/support/commands.js';
import { REPO_ROOT } from '../test/e2e/support/paths.js';
import { VkNode } from '../test/e2e/support/vk-node.js';
import { eventually } from '../test/e2e/support/wait.js';
import { ApiPodWatch } from './api-pod-watch.js';
import type { BenchBase, ClusterContext } from './bench-context.js';
import { NODE_LABEL } from './bench-pod.js';
import type { CleanupStack } from './cleanup-stack.js';
import { KubeRequests } from './kube-ops.js';
import { PodTimeline } from './pod-timeline.js';
import { AHEAD_NICE, NORMAL_NICE } from './priority.js';
import { RunnerWatch } from './runner-watch.js';

const REUSE_ENV = 'VK_CMD_E2E_CLUSTER_DIR';

/** Where a heap snapshot goes when a scenario finds a process using far more memory than it should. */
export const HEAP_SNAPSHOT_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** Lets the bench ask the kubelet and runner for a heap snapshot (SIGUSR2) without restarting them. */
function heapSnapshotFlags(): string[] {
  return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_SNAPSHOT_DIR}`];
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Component name -> pid of every control-plane process cluster-up.sh recorded in `<dir>/pids/`. */
function readControlPlanePids(dir: string): Record<string, number> {
  const pids: Record<string, number> = {};
  const pidDir = path.join(dir, 'pids');
  for (const file of existsSync(pidDir) ? readdirSync(pidDir) : []) {
    if (!file.endsWith('.pid')) continue;
    const pid = readPid(path.join(pidDir, file));
    if (pid !== undefined) pids[file.slice(0, -'.pid'.length)] = pid;
  }
  return pids;
}

/** Node.js flags that make a process write a V8 CPU profile into `dir` when it exits. */
export function cpuProfFlags(dir: string | undefined): string[] {
  if (!dir) return [];
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${abs}`];
}

/**
 * Brings up everything the cluster scenarios need: a control plane (its own
 * in a temp dir, or the one VK_CMD_E2E_CLUSTER_DIR names), a namespace, one
 * vk-cmd node (real runner + kubelet) and the pod and runner watches. Every
 * piece is registered on `cleanup` before it starts, so an interruption at
 * any point leaves nothing behind.
 */
export async function setUpCluster(
  base: BenchBase,
  cleanup: CleanupStack,
): Promise<{ ctx: ClusterContext; reused: boolean }> {
  const { flags, progress } = base;
  const reuseDir = process.env[REUSE_ENV];
  // A named dir is left running afterwards; startTestCluster starts one there if it has none yet.
  const reused = reuseDir !== undefined && reuseDir !== '';

  progress.start(reused ? `using the control plane in ${reuseDir}` : 'starting a local control plane');
  let cluster;
  if (reused) {
    cluster = await startTestCluster();
  } else {
    // The dir is made here, not by startTestCluster, so clean-up knows it even
    // if cluster-up.sh is interrupted half-way.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-bench-cluster-'));
    cleanup.push('control plane', async () => {
      if (existsSync(path.join(dir, 'env')) || existsSync(path.join(dir, '.vk-cmd-cluster'))) {
        await mustRun('bash', [path.join(REPO_ROOT, 'scripts', 'cluster-down.sh')], {
          env: { ...process.env, CLUSTER_DIR: dir },
          timeoutMs: 60_000,
          cwd: REPO_ROOT,
        });
      }
      rmSync(dir, { recursive: true, force: true });
    });
    process.env[REUSE_ENV] = dir;
    try {
      cluster = await startTestCluster();
    } finally {
      delete process.env[REUSE_ENV];
    }
  }
  progress.finish();
  base.signal.throwIfAborted();
  const controlPlanePids = readControlPlanePids(cluster.dir);
  for (const [component, pid] of Object.entries(controlPlanePids)) {
    // Ours inherited the benchmark's nice value already; a reused one is someone else's: put it back after.
    const before = base.priorities.niceOf(pid);
    if (base.priorities.set(component, pid, AHEAD_NICE) && reused && Number.isInteger(before)) {
      cleanup.push(`${component} priority`, () => void base.priorities.set(component, pid, before));
    }
  }

  const api = KubeRequests.fromKubeconfigFile(cluster.kubeconfigPath, flags.concurrency + 8);
  cleanup.push('API client', () => api.close());

  const suffix = Math.random().toString(36).slice(2, 8);
  const namespace = `vk-bench-${suffix}`;
  await api.createNamespace(namespace);
  if (reused) cleanup.push('namespace', () => api.deleteNamespace(namespace));
  await eventually(() => api.defaultServiceAccountExists(namespace), 60_000, 'default service account', 250);

  const nodeName = `vk-bench-${suffix}`;
  const verbosity = String(flags.logVerbosity);
  const maxPods = Math.max(1000, flags.latencyPods, flags.burstPods, flags.footprintPods);
  const node = new VkNode({
    nodeName,
    kubeconfigPath: cluster.kubeconfigPath,
    kc: cluster.kc,
    kubeletArgs: [
      '--klog.v',
      verbosity,
      '--node-labels',
      `${NODE_LABEL}=${nodeName}`,
      '--max-pods',
      String(maxPods),
    ],
    runnerArgs: ['--v', verbosity],
    nodeFlags: [...cpuProfFlags(flags.cpuProfDir), ...heapSnapshotFlags()],
  });
  cleanup.push('vk-cmd node', async () => {
    await node.stop();
    if (reused) await api.deleteNode(nodeName).catch(() => undefined);
  });
  progress.start(`starting vk-cmd node ${nodeName}`);
  try {
    await node.start();
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${node.logTail()}`, { cause: err });
  }
  progress.finish();
  // Started by a benchmark at nice -10, they would inherit it; vk-cmd runs at a user's priority.
  base.priorities.set('runner', node.runner?.pid, NORMAL_NICE);
  base.priorities.set('kubelet', node.kubelet?.pid, NORMAL_NICE);

  const timeline = new PodTimeline();
  const apiWatch = new ApiPodWatch(cluster.kc, namespace, timeline);
  cleanup.push('pod watch', () => apiWatch.stop());
  await apiWatch.start();
  const runnerWatch = new RunnerWatch(node.socketPath);
  cleanup.push('runner watch', () => runnerWatch.stop());
  await runnerWatch.start();

  const adminCertPath = cluster.env['ADMIN_CERT'];
  const adminKeyPath = cluster.env['ADMIN_KEY'];
  if (!adminCertPath || !adminKeyPath) throw new Error(`${cluster.dir}/env names no ADMIN_CERT/ADMIN_KEY`);
  return {
    reused,
    ctx: {
      ...base,
      kc: cluster.kc,
      kubeconfigPath: cluster.kubeconfigPath,
      api,
      namespace,
      node,
      adminCert: readFileSync(adminCertPath, 'utf8'),
      adminKey: readFileSync(adminKeyPath, 'utf8'),
      timeline,
      apiWatch,
      runnerWatch,
      metricsServerPid: controlPlanePids['metrics-server'],
      controlPlanePids,
    },
  };
}
