import type { WirePod } from './kube/wire-types.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pod__Output } from '../generated/vkcmd/runner/v1/Pod.js';
import { EventLoopDelayMonitor } from '../common/event-loop-delay.js';
import { registerEventLoopDelayMetrics } from './event-loop-delay-metrics.js';
import {
  containerStateCounts,
  podPhaseCounts,
  walltimeRemainingSeconds,
  type PodWorkerOperation,
} from './kubelet-state-metrics.js';

/**
 * What the scrape-time gauges read: the kubelet's live state. Every function
 * is cheap and synchronous; it is called on each scrape of `/metrics`.
 */
export interface KubeletStateSource {
  /** Pods the runner holds, as the runner link last saw them. */
  runnerPods(): Iterable<Pod__Output>;
  /** Pods bound to the node, as the API server has them. */
  apiPods(): readonly WirePod[];
  /** The Ready condition the kubelet last decided; undefined before the Node is registered. */
  nodeReady(): boolean | undefined;
  /** When the node's walltime ends; undefined without a walltime. */
  walltimeDeadlineMs(): number | undefined;
  nowMs(): number;
}

// A kubelet marks the stability of each metric in its help text.
const alpha = (help: string): string => `[ALPHA] ${help}`;

/** The kubelet's pod start buckets (pkg/kubelet/metrics podStartupDurationBuckets). */
const POD_STARTUP_BUCKETS = [
  0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700,
  3600,
];
/** Prometheus' default buckets, which the kubelet's pod worker histogram uses. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * prom-client's default metrics that are gauges named `_total`, which
 * Prometheus' naming rules reserve for counters (`promtool check metrics`).
 * Their per-type siblings (`nodejs_active_handles{type}`, ...) stay.
 */
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** process_*, nodejs_* and the event-loop delay, into `registry`. */
function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  registerEventLoopDelayMetrics(registry, new EventLoopDelayMonitor());
}

/**
 * The text of a process's metrics (Registry.metrics() format), served by
 * every node of a fleet next to its own; may be a few seconds old.
 */
export interface ProcessMetricsText {
  text(): Promise<string>;
}

/** The one registry of a fleet's process metrics, which every node serves next to its own. */
export function processMetricsRegistry(): Registry {
  const registry = new Registry();
  registerProcessMetrics(registry);
  return registry;
}

/**
 * The kubelet's Prometheus metrics, served on `/metrics`. One instance per
 * node, as a kubelet has one per process (a fleet of one: one per process);
 * components receive it through their constructors and only observe.
 * Metrics a kubelet has keep the kubelet's names, labels and buckets
 * (`kubelet_*`, `process_*`), so dashboards and alerts written for kubelets
 * work; vk-cmd's own carry `vkcmd_kubelet_`. Gauges of live state (pods by
 * phase, containers by state, readiness, walltime) are computed on each
 * scrape from the source given to `attach`; before that they read nothing.
 */
export class KubeletMetrics {
  readonly registry = new Registry();
  private source: KubeletStateSource | undefined;

  // --- Metrics a kubelet has (pkg/kubelet/metrics).

  /** Pods with a running container; set by the pod controller. */
  readonly runningPods = new Gauge({
    name: 'kubelet_running_pods',
    help: alpha('Number of pods that have a running pod sandbox'),
    registers: [this.registry],
  });

  private readonly podStartSliDurationSeconds = new Histogram({
    name: 'kubelet_pod_start_sli_duration_seconds',
    help: alpha(
      'Duration in seconds to start a pod, excluding time to pull images and run init containers, measured from pod creation timestamp to when all its containers are reported as started and observed via watch',
    ),
    buckets: POD_STARTUP_BUCKETS,
    registers: [this.registry],
  });

  /** One pod sync, by what it did. */
  readonly podWorkerDurationSeconds = new Histogram<'operation_type'>({
    name: 'kubelet_pod_worker_duration_seconds',
    help: alpha(
      'Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync',
    ),
    labelNames: ['operation_type'],
    buckets: DEFAULT_BUCKETS,
    registers: [this.registry],
  });

  /** CreatePod calls the runner accepted. */
  readonly startedPodsTotal = new Counter({
    name: 'kubelet_started_pods_total',
    help: alpha('Cumulative number of pods started'),
    registers: [this.registry],
  });

  /** Local storage evictions only (ephemeral-storage limits, emptyDir sizeLimit); no node-pressure signal. */
  readonly evictions = new Counter<'eviction_signal'>({
    name: 'kubelet_evictions',
    help: alpha('Cumulative number of pod evictions by eviction signal'),
    labelNames: ['eviction_signal'],
    registers: [this.registry],
  });

  // --- vk-cmd's own.

  private readonly podStartDurationFineSeconds = new Histogram({
    name: 'vkcmd_kubelet_pod_start_duration_seconds',
    help: 'Time from pod creation to all of its containers running, as seen by the kubelet (finer buckets than kubelet_pod_start_sli_duration_seconds).',
    buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** Pod creation timestamp -> all containers observed running; feeds both start histograms. */
  readonly podStartDurationSeconds = {
    observe: (seconds: number): void => {
      this.podStartSliDurationSeconds.observe(seconds);
      this.podStartDurationFineSeconds.observe(seconds);
    },
  };

  /** Runner event received -> pod status patch acknowledged by the API server. */
  readonly podStatusSyncDurationSeconds = new Histogram({
    name: 'vkcmd_kubelet_pod_status_sync_duration_seconds',
    help: 'Time from a runner change to the pod status patch being accepted.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  /** 1 while the gRPC link to the runner is up and synced, else 0. */
  readonly runnerLinkUp = new Gauge({
    name: 'vkcmd_kubelet_runner_link_up',
    help: 'Whether the kubelet holds a synced watch on the runner (1) or not (0).',
    registers: [this.registry],
  });

  readonly runnerReconnectsTotal = new Counter({
    name: 'vkcmd_kubelet_runner_reconnects_total',
    help: 'Times the kubelet re-established its watch on the runner.',
    registers: [this.registry],
  });

  /**
   * Health check periods of the runner by outcome: answered (by a watch message or a health
   * check), silent (no answer in time) or refused (no runner).
   */
  readonly runnerHeartbeatsTotal = new Counter({
    name: 'vkcmd_kubelet_runner_heartbeats_total',
    help: 'Health check periods of the runner, by outcome (answered by a watch message or a health check, silent, refused).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Every request the kubelet sends to the API server. */
  readonly apiserverRequestsTotal = new Counter({
    name: 'vkcmd_kubelet_apiserver_requests_total',
    help: 'Requests sent to the Kubernetes API server, by verb, resource and HTTP code.',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [this.registry],
  });

  /** Requests served by the kubelet HTTPS API, by route and HTTP code. */
  readonly httpRequestsTotal = new Counter({
    name: 'vkcmd_kubelet_http_requests_total',
    help: 'Requests served by the kubelet HTTPS API.',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });

  /** The process's metrics when they live apart from the node's (a fleet's nodes share them). */
  private readonly processMetrics: ProcessMetricsText | undefined;

  /**
   * `processMetrics`: a fleet's node leaves the process metrics (process_*,
   * nodejs_*, the event loop) to the one registry the process has
   * (processMetricsRegistry()) and serves its text before its own.
   */
  constructor(
    options: { collectProcessMetrics?: boolean; nodeName?: string; processMetrics?: ProcessMetricsText } = {},
  ) {
    this.processMetrics = options.processMetrics;
    if ((options.collectProcessMetrics ?? true) && !options.processMetrics) {
      registerProcessMetrics(this.registry);
    }
    const nodeName = new Gauge<'node'>({
      name: 'kubelet_node_name',
      help: alpha("The node's name. The count is always 1."),
      labelNames: ['node'],
      registers: [this.registry],
    });
    if (options.nodeName !== undefined) nodeName.set({ node: options.nodeName }, 1);
    this.registerStateGauges();
  }

  /** What `/metrics` serves: this registry, and the process's when it is shared. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    const own = await this.registry.metrics();
    // Registry.metrics() joins metrics with a blank line and ends with a newline: so does the join of two.
    const text = this.processMetrics ? `${await this.processMetrics.text()}\n${own}` : own;
    return { contentType: this.registry.contentType, text };
  }

  /** Gives the scrape-time gauges their source. */
  attach(source: KubeletStateSource): void {
    this.source = source;
  }

  /** Records one pod sync of `seconds`. */
  observePodWorker(operation: PodWorkerOperation, seconds: number): void {
    this.podWorkerDurationSeconds.observe({ operation_type: operation }, seconds);
  }

  private registerStateGauges(): void {
    // collect() runs with the gauge as `this`; the source is read through this closure.
    const current = (): KubeletStateSource | undefined => this.source;
    new Gauge<'container_state'>({
      name: 'kubelet_running_containers',
      help: alpha('Number of containers currently running'),
      labelNames: ['container_state'],
      registers: [this.registry],
      collect() {
        this.reset();
        const source = current();
        if (!source) return;
        for (const [state, count] of containerStateCounts(source.runnerPods())) {
          this.set({ container_state: state }, count);
        }
      },
    });
    new Gauge<'phase'>({
      name: 'vkcmd_kubelet_pods',
      help: 'Pods bound to this node, by the phase the API server records.',
      labelNames: ['phase'],
      registers: [this.registry],
      collect() {
        this.reset();
        const source = current();
        if (!source) return;
        for (const [phase, count] of podPhaseCounts(source.apiPods())) this.set({ phase }, count);
      },
    });
    new Gauge({
      name: 'vkcmd_kubelet_node_ready',
      help: 'Whether the Ready condition the kubelet last wrote on its Node is True (1) or not (0); absent before registration.',
      registers: [this.registry],
      collect() {
        const ready = current()?.nodeReady();
        if (ready === undefined) this.remove();
        else this.set(ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'vkcmd_kubelet_walltime_remaining_seconds',
      help: "Seconds until the node's walltime ends (JIRIAF_WALLTIME or the Slurm job's end); absent without a walltime.",
      registers: [this.registry],
      collect() {
        const source = current();
        const remaining = source && walltimeRemainingSeconds(source.walltimeDeadlineMs(), source.nowMs());
        if (remaining === undefined) this.remove();
        else this.set(remaining);
      },
    });
  }
}
