import { KubeConfig } from '@kubernetes/client-node';
import type { PodSpec } from '../src/generated/vkcmd/runner/v1/PodSpec.js';
import { VkNode } from '../test/e2e/support/vk-node.js';
import type { BenchBase } from './bench-context.js';
import { cpuProfFlags } from './bench-setup.js';
import { paced, type BatchOutcome } from './pacing.js';
import { NORMAL_NICE } from './priority.js';
import { podCommands, type PodCommands } from './runner-commands.js';
import { podKey } from './runner-pod-times.js';
import { RunnerWatch } from './runner-watch.js';
import { waitFor } from './wait-for.js';

/** A private vk-cmd-runner (no API server, no kubelet), a WatchPods stream and a PodCommands stream on it. */
export interface RunnerOnly {
  node: VkNode;
  watch: RunnerWatch;
  /** CreatePod and DeletePod as the kubelet sends them. */
  commands: PodCommands;
  pid: number;
  /** Stops the watch and the runner and kills every pod process group. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the runner half of a node at the user's nice value, with a synced watch on it. */
export async function startRunnerOnly(base: BenchBase, nodeName: string): Promise<RunnerOnly> {
  // Only the runner half of the node is started; the kubeconfig fields are unused.
  const node = new VkNode({
    nodeName,
    kubeconfigPath: '',
    kc: new KubeConfig(),
    runnerArgs: ['--v', String(base.flags.logVerbosity)],
    nodeFlags: cpuProfFlags(base.flags.cpuProfDir),
  });
  let stopped = false;
  let watch: RunnerWatch | undefined;
  let commands: PodCommands | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    commands?.close();
    watch?.stop();
    await node.stop();
  };
  try {
    await node.startRunner();
    const pid = node.runner?.pid;
    if (!pid) throw new Error('runner has no pid');
    // Started by a benchmark at nice -10, it would inherit it; vk-cmd runs at a user's priority.
    base.priorities.set(`runner (${nodeName})`, pid, NORMAL_NICE);
    watch = new RunnerWatch(node.socketPath);
    await watch.start();
    commands = podCommands(watch.client, 'stream');
    return { node, watch, commands, pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Sends every spec as a CreatePod command at `ratePerSecond` and waits (on the
 * watch, up to `timeoutMs`) until each pod has a running event. Returns when each
 * CreatePod was called, keyed by `namespace/name`, and whether all ran.
 */
export async function createRunningPods(
  base: BenchBase,
  runner: RunnerOnly,
  specs: readonly PodSpec[],
  ratePerSecond: number,
  timeoutMs = 120_000,
): Promise<{ called: Map<string, number>; creates: BatchOutcome; allRunning: boolean }> {
  const w = runner.watch;
  const called = new Map<string, number>();
  const keys = specs.map((s) => podKey(s.namespace ?? '', s.name ?? ''));
  const running = (): number => keys.filter((k) => w.times.get(k)?.runningEventMs !== undefined).length;
  base.progress.start(`${runner.node.nodeName}: CreatePod x${specs.length}`, specs.length);
  const creates = await paced(
    specs.length,
    ratePerSecond,
    async (i) => {
      called.set(keys[i]!, Date.now());
      await runner.commands.createPod(specs[i]!);
    },
    { signal: base.signal },
  );
  const allRunning = await waitFor(
    () => running() === specs.length,
    (l) => w.subscribe(l),
    timeoutMs,
    { signal: base.signal, onCheck: () => base.progress.update(running()) },
  );
  base.progress.finish();
  return { called, creates, allRunning };
}
