import type { ClusterContext, ScenarioResult } from '../bench-context.js';
import { benchPod } from '../bench-pod.js';
import { readBytesFrom, startByteSource } from '../byte-source.js';
import { shareOverReferenceMs, throughputRatio } from '../exec-api-figures.js';
import { startPortForward, timeKubectl, type KubectlRun } from '../kubectl-runs.js';
import { latencyRow, valueRow, type ReportRow } from '../report-rows.js';
import { mbPerSecond } from '../runner-figures.js';
import { summarize } from '../stats.js';
import { execShareMs } from './exec-api-share.js';
import { startStubKubelet } from './exec-stub-kubelet.js';
import { registerStubNode, type StubNode } from './exec-stub-node.js';
import { waitForPods } from './pod-waits.js';

const SCENARIO = 'exec-api';
const POD = 'exec-api-p';
const STUB_POD = 'exec-api-stub-p';
const STUB_NODE = 'vk-cmd-bench-stub-kubelet';

/** One kind of kubectl run, timed `apiExecRuns` times. */
interface Kind {
  name: string;
  args: string[];
  runs: KubectlRun[];
}

/**
 * `kubectl exec` and `kubectl port-forward` through the API server to a pod
 * on the vk-cmd node, as a user runs them. One pod sleeps on the vk-cmd node;
 * a second is bound to a stub node whose kubelet (exec-stub-kubelet.ts, on
 * loopback) answers every exec at once with Success. `--api-exec-runs` rounds
 * each spawn the cached kubectl (the bench's kubeconfig) three times, one
 * after the other: `exec POD -- true` on the vk-cmd pod, the same on the
 * stub's pod (the API server's own overhead, measured the same way), and
 * `get --raw /api/v1/namespaces/NS/pods/POD` (start-up + one GET); each timed
 * from spawn to exit. Interleaving them puts all three in the same
 * conditions; one untimed round first loads the binary and opens the kubelet
 * connections. vk-cmd's share is exec on vk-cmd minus exec on the stub, p50
 * and p99: the kubelet's stream, the runner's Exec and the command. Then
 * `--forward-mib` MiB from a byte source on a loopback port, read through
 * `kubectl port-forward pod/POD` and directly, in MB/s, and their ratio.
 */
export async function runExecApiScenario(ctx: ClusterContext): Promise<ScenarioResult> {
  const { flags, progress, namespace, kubeconfigPath } = ctx;
  await ctx.api.createPod(
    namespace,
    benchPod({
      name: POD,
      scenario: SCENARIO,
      nodeName: ctx.node.nodeName,
      command: ['sleep', '3600'],
      viaScheduler: flags.viaScheduler,
    }),
  );
  const running = await waitForPods(ctx, `${SCENARIO}: waiting for the pod`, [POD], ['running'], 60_000);
  if (running.timedOut) throw new Error(`${SCENARIO}: pod ${POD} did not reach Running within 60 s`);

  const kinds: Kind[] = [
    { name: 'exec', args: ['-n', namespace, 'exec', POD, '--', 'true'], runs: [] },
    { name: 'exec_stub', args: ['-n', namespace, 'exec', STUB_POD, '--', 'true'], runs: [] },
    { name: 'get_raw', args: ['get', '--raw', `/api/v1/namespaces/${namespace}/pods/${POD}`], runs: [] },
  ];
  const n = flags.apiExecRuns;
  const stub = await startStubKubelet();
  let stubNode: StubNode | undefined;
  ctx.cleanup.push(`${SCENARIO}: stub kubelet and its node`, async () => {
    await stubNode?.remove();
    await stub.close();
  });
  try {
    stubNode = await registerStubNode({
      kubeconfigPath,
      nodeName: STUB_NODE,
      podName: STUB_POD,
      namespace,
      port: stub.port,
      scenario: SCENARIO,
    });
    await timeRounds(ctx, kinds, n);
  } finally {
    await stubNode?.remove();
    await stub.close();
  }
  const [exec, execStub, raw] = kinds as [Kind, Kind, Kind];
  const okMs = (kind: Kind): number[] => kind.runs.filter((r) => r.code === 0).map((r) => r.ms);
  const sample = (kind: Kind) => ({ values: okMs(kind), missing: n - okMs(kind).length });
  const share = execShareMs(okMs(exec), okMs(execStub));
  const execP50 = summarize(okMs(exec)).p50;
  const rawP50 = summarize(okMs(raw)).p50;

  const bytes = flags.forwardMib * 2 ** 20;
  const source = await startByteSource(bytes);
  let forwarded: { ms: number; bytes: number };
  let direct: { ms: number; bytes: number };
  try {
    progress.start(`${SCENARIO}: ${flags.forwardMib} MiB through kubectl port-forward`);
    const forward = await startPortForward(kubeconfigPath, namespace, POD, source.port);
    try {
      forwarded = await readBytesFrom(forward.localPort, bytes);
    } finally {
      forward.command.kill();
      await forward.command.exited;
    }
    progress.finish();
    progress.start(`${SCENARIO}: ${flags.forwardMib} MiB directly over loopback`);
    direct = await readBytesFrom(source.port, bytes);
    progress.finish();
  } finally {
    await source.close();
  }
  const forwardMbps = mbPerSecond(forwarded.bytes, forwarded.ms);
  const directMbps = mbPerSecond(direct.bytes, direct.ms);

  await ctx.api.deletePod(namespace, POD);
  await waitForPods(ctx, `${SCENARIO}: deleting the pod`, [POD], ['gone'], 60_000);

  const rows: ReportRow[] = [
    latencyRow(
      SCENARIO,
      'kubectl_exec',
      `kubectl exec POD -- true via the API server (WebSocket), spawn -> exit, ${n} one at a time`,
      sample(exec),
      flags,
    ),
    latencyRow(
      SCENARIO,
      'kubectl_exec_stub',
      '  the same on a stub kubelet that answers Success at once (the API server and kubectl alone)',
      sample(execStub),
      flags,
    ),
    valueRow(
      SCENARIO,
      'vk_cmd_share_p50_ms',
      "  vk-cmd's share, p50: exec on vk-cmd p50 - exec on the stub p50",
      share.p50Ms,
      'ms',
      flags,
    ),
    valueRow(
      SCENARIO,
      'vk_cmd_share_p99_ms',
      "  vk-cmd's share, p99: exec on vk-cmd p99 - exec on the stub p99",
      share.p99Ms,
      'ms',
      flags,
    ),
    latencyRow(
      SCENARIO,
      'reference_get_raw',
      '  second reference: kubectl get --raw /api/v1/namespaces/NS/pods/POD (start-up + 1 GET), spawn -> exit',
      sample(raw),
      flags,
    ),
    valueRow(
      SCENARIO,
      'vk_cmd_share_ms',
      '  exec p50 - get --raw p50: the exec upgrade and stream, kubelet, runner, and `true`',
      shareOverReferenceMs(execP50, rawP50),
      'ms',
      flags,
    ),
    valueRow(
      SCENARIO,
      'port_forward_mb_per_s',
      `kubectl port-forward: ${flags.forwardMib} MiB from a loopback source, MB/s`,
      forwardMbps,
      'MB/s',
      flags,
    ),
    valueRow(
      SCENARIO,
      'loopback_mb_per_s',
      `  the same ${flags.forwardMib} MiB read directly over loopback, MB/s`,
      directMbps,
      'MB/s',
      flags,
    ),
    valueRow(
      SCENARIO,
      'port_forward_ratio',
      '  port-forward / direct',
      throughputRatio(forwardMbps, directMbps),
      'x',
      flags,
    ),
  ];
  const warnings = kinds.flatMap((kind) => {
    const failed = kind.runs.filter((r) => r.code !== 0);
    return failed.length
      ? [`${SCENARIO}: ${failed.length} of ${n} ${kind.name} runs exited non-zero: ${failed[0]!.stderr}`]
      : [];
  });
  return {
    rows,
    warnings,
    details: {
      runs: n,
      stubSessions: stub.sessions,
      kubectlMs: Object.fromEntries(
        kinds.map((k) => [k.name, k.runs.map((r) => Math.round(r.ms * 10) / 10)]),
      ),
      forward: { bytes: forwarded.bytes, ms: forwarded.ms },
      direct: { bytes: direct.bytes, ms: direct.ms },
    },
  };
}

/** One untimed round (loads kubectl, opens the kubelet connections), then `n` interleaved timed rounds. */
async function timeRounds(ctx: ClusterContext, kinds: Kind[], n: number): Promise<void> {
  for (const kind of kinds) await timeKubectl(ctx.kubeconfigPath, kind.args);
  ctx.progress.start(`${SCENARIO}: kubectl exec, on the stub, and get --raw x${n}`, n);
  for (let i = 0; i < n; i++) {
    ctx.signal.throwIfAborted();
    for (const kind of kinds) kind.runs.push(await timeKubectl(ctx.kubeconfigPath, kind.args));
    ctx.progress.update(i + 1);
  }
  ctx.progress.finish();
}
