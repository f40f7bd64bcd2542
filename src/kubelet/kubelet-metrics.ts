import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EventLoopDelayMonitor } from '../common/event-loop-delay.js';
import { registerEventLoopDelayMetrics } from './event-loop-delay-metrics.js';

/**
 * The kubelet's own Prometheus metrics, served on `/metrics`. One instance per
 * process; components receive it through their constructors and only observe.
 */
export class KubeletMetrics {
  readonly registry = new Registry();

  /** Pod creation timestamp -> all containers observed running. */
  readonly podStartDurationSeconds = new Histogram({
    name: 'vkcmd_kubelet_pod_start_duration_seconds',
    help: 'Time from pod creation to all of its containers running, as seen by the kubelet.',
    buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

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

  /** Health checks of the runner by outcome: answered, silent (no answer in time) or refused (no runner). */
  readonly runnerHeartbeatsTotal = new Counter({
    name: 'vkcmd_kubelet_runner_heartbeats_total',
    help: 'Health checks the kubelet sent to the runner, by outcome (answered, silent, refused).',
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

  readonly runningPods = new Gauge({
    name: 'vkcmd_kubelet_running_pods',
    help: 'Pods bound to this node that have at least one running container.',
    registers: [this.registry],
  });

  /** Requests served by the kubelet HTTPS API, by route and HTTP code. */
  readonly httpRequestsTotal = new Counter({
    name: 'vkcmd_kubelet_http_requests_total',
    help: 'Requests served by the kubelet HTTPS API.',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });

  constructor(options: { collectProcessMetrics?: boolean } = {}) {
    if (options.collectProcessMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'vkcmd_kubelet_' });
      registerEventLoopDelayMetrics(this.registry, new EventLoopDelayMonitor());
    }
  }
}
