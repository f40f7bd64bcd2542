import type { KubeConfig } from '@kubernetes/client-node';
import type { VkNode } from '../test/e2e/support/vk-node.js';
import type { ApiPodWatch } from './api-pod-watch.js';
import type { BenchFlags } from './bench-flags.js';
import type { CleanupStack } from './cleanup-stack.js';
import type { KubeRequests } from './kube-ops.js';
import type { ReportRow } from './report-rows.js';
import type { PodTimeline } from './pod-timeline.js';
import type { Priorities } from './priority.js';
import type { Progress } from './progress.js';
import type { RunnerWatch } from './runner-watch.js';

/** What every scenario gets; owned by bench.ts, which starts and stops all of it. */
export interface BenchBase {
  flags: BenchFlags;
  progress: Progress;
  /** Aborts on Ctrl-C/SIGTERM; scenarios stop waiting and rethrow. */
  signal: AbortSignal;
  /** Nice values of the processes the benchmark starts (see priority.ts). */
  priorities: Priorities;
  /** Run on exit, error and Ctrl-C; a scenario registers what it starts here before starting it. */
  cleanup: CleanupStack;
}

/** A control plane, one vk-cmd node and the two watches the cluster scenarios measure with. */
export interface ClusterContext extends BenchBase {
  kc: KubeConfig;
  /** The control plane's admin kubeconfig file, for the kubectl the benchmark spawns. */
  kubeconfigPath: string;
  api: KubeRequests;
  namespace: string;
  node: VkNode;
  /** Client cert and key (PEM) accepted by the kubelet's HTTPS API, for /metrics. */
  adminCert: string;
  adminKey: string;
  timeline: PodTimeline;
  apiWatch: ApiPodWatch;
  runnerWatch: RunnerWatch;
  /** The control plane's metrics-server, which the footprint scenario pauses to measure CPU without scrapes. */
  metricsServerPid: number | undefined;
  /** Component name (etcd, kube-apiserver, ...) -> pid, for the control plane's CPU. */
  controlPlanePids: Record<string, number>;
}

/** Anything worth keeping in the JSON result besides the table rows. */
export type ScenarioDetails = Record<string, unknown>;

/** What a scenario hands back: table rows, details for the JSON, and warnings shown under the table. */
export interface ScenarioResult {
  rows: ReportRow[];
  details: ScenarioDetails;
  warnings: string[];
}
