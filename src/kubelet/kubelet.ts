import type { WirePod } from './kube/wire-types.js';
import type { Logger } from '../common/logger.js';
import type { HealthSource } from './api/kubelet-api-options.js';
import type { PodLister } from './api/pod-lister.js';
import type { KubeletConfig } from './config/kubelet-config.js';
import type { KubeApi, PodInformer } from './kube/kube-api.js';
import type { KubeletMetrics } from './kubelet-metrics.js';
import { countingStartedPods } from './started-pods.js';
import { EvictionManager } from './eviction/eviction-manager.js';
import { LeaseController } from './node/lease-controller.js';
import type { NodeLease, NodeLeaseFactory, NodeLeaseOptions } from './node/node-lease.js';
import { NodeController } from './node/node-controller.js';
import {
  firstLoopbackWarning,
  LOOPBACK_POD_IP_REASON,
  loopbackPodIpWarning,
  nodeWarningEvent,
} from './node/pod-ip-warning.js';
import { EventRecorder } from './pods/event-recorder.js';
import { PodController } from './pods/pod-controller.js';
import { StatusWriter, type StatusWriteTiming } from './pods/status-writer.js';
import type { Runner } from './runner/runner.js';

export interface KubeletDeps {
  config: KubeletConfig;
  api: KubeApi;
  /** The runner link; started and stopped here, closed by the caller (the HTTPS API uses it too). */
  runner: Runner;
  metrics: KubeletMetrics;
  logger: Logger;
  /** The port the kubelet HTTPS API actually bound (reported in daemonEndpoints). */
  kubeletPort: number;
  version: string;
  now?: () => number;
  /** Pod config retry back-off and resync period (tests shorten them). */
  podOptions?: { retryInitialMs?: number; retryMaxMs?: number; resyncIntervalMs?: number };
  /** How readiness messages name the runner; the --runner target by default. */
  runnerDescription?: string;
  /** Observes every pod status patch (tests measure latency with it). */
  onStatusWritten?: (timing: StatusWriteTiming) => void;
  /** Between local storage eviction checks; 10 s by default (tests shorten it). */
  evictionIntervalMs?: number;
  /** Builds the node's Lease keeper; a LeaseController over `api` on this event loop by default. */
  lease?: NodeLeaseFactory;
}

/**
 * The kubelet core: runner link, node registration and status, node lease and
 * pod reconciliation, wired together. start() resolves once the node is
 * registered and pods are being watched; stop() stops every loop (closing
 * the runner link and the API server is the caller's).
 *
 * States: Created -> Starting -> Running -> Stopping -> Stopped.
 */
export class Kubelet {
  readonly link: Runner;
  readonly node: NodeController;
  readonly lease: NodeLease;
  readonly pods: PodController;
  readonly evictions: EvictionManager;
  private readonly informer: PodInformer;
  private state: 'Created' | 'Starting' | 'Running' | 'Stopping' | 'Stopped' = 'Created';

  constructor(private readonly deps: KubeletDeps) {
    const { config, api, metrics, logger } = deps;
    const now = deps.now ?? Date.now;
    this.link = deps.runner;
    this.node = new NodeController(
      api,
      this.link,
      {
        config,
        runnerTarget: deps.runnerDescription ?? config.runner.target,
        kubeletPort: deps.kubeletPort,
        version: deps.version,
        now,
      },
      logger.child({ component: 'node' }),
    );
    const leaseOptions: NodeLeaseOptions = {
      nodeName: config.nodeName,
      leaseDurationSeconds: config.leaseDurationSeconds,
      renewIntervalMs: config.leaseRenewIntervalSeconds * 1000,
      nodeUid: () => this.node.uid(),
    };
    this.lease = deps.lease
      ? deps.lease(leaseOptions, metrics)
      : new LeaseController(api, { ...leaseOptions, now }, logger.child({ component: 'lease' }));
    this.informer = api.podInformer(config.nodeName);
    const statusWriter = new StatusWriter(api, metrics, logger.child({ component: 'pod-status' }), {
      now,
      onWritten: deps.onStatusWritten,
    });
    const events = new EventRecorder(api, config.nodeName, logger.child({ component: 'events' }), { now });
    this.pods = new PodController(
      api,
      this.informer,
      countingStartedPods(this.link, metrics),
      statusWriter,
      events,
      metrics,
      logger.child({ component: 'pods' }),
      {
        hostIp: config.podIp,
        ignoreRestartPolicy: config.ignoreRestartPolicy,
        allocatable: () => this.node.allocatable(),
        limitFacts: () => this.link.nodeInfo(),
        now,
        ...deps.podOptions,
      },
    );
    this.evictions = new EvictionManager({
      pods: () => this.informer.list(),
      getStats: () => this.link.getStats(),
      evict: (uid, message) => this.pods.evict(uid, message),
      evicted: (signal) => metrics.evictions.inc({ eviction_signal: signal }),
      logger: logger.child({ component: 'eviction' }),
      intervalMs: deps.evictionIntervalMs,
    });
  }

  private setState(next: Kubelet['state']): void {
    this.deps.logger.info({ from: this.state, to: next }, 'Kubelet state changed');
    this.state = next;
  }

  async start(): Promise<void> {
    this.setState('Starting');
    this.link.start({
      podChanged: (pod, at) => this.pods.onRunnerPodChanged(pod, at),
      podDeleted: (pod, at) => this.pods.onRunnerPodDeleted(pod, at),
      synced: () => {
        this.pods.onRunnerSynced();
        this.node.onRunnerChanged();
      },
      stateChanged: () => this.node.onRunnerChanged(),
      nodeInfo: () => this.node.onRunnerChanged(),
      livenessChanged: () => this.node.onRunnerChanged(),
    });
    await this.node.start();
    if (this.state !== 'Starting') return;
    this.lease.start();
    this.pods.start();
    this.evictions.start();
    this.setState('Running');
    this.warnAboutLoopbackPodIp();
  }

  /** A loopback pod IP breaks Services on this node: said at start, in the log and as a node event. */
  private warnAboutLoopbackPodIp(): void {
    const { config, api, logger } = this.deps;
    const message = loopbackPodIpWarning(config.podIp);
    if (!message) return;
    if (firstLoopbackWarning(config.podIp)) logger.warn({ podIp: config.podIp }, message);
    const now = (this.deps.now ?? Date.now)();
    api
      .createEvent('default', nodeWarningEvent(config.nodeName, LOOPBACK_POD_IP_REASON, message, now))
      .catch((err: unknown) => logger.debug({ err }, 'Failed to record the loopback pod IP event'));
  }

  /**
   * Stops every loop; pending pod status writes get a short drain, other
   * in-flight API calls are abandoned. With --delete-node-on-exit (or
   * `deregister`: a fleet's runner that leaves) the Lease and the Node are
   * then deleted, so the node leaves with the allocation.
   */
  async stop(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.state === 'Stopped' || this.state === 'Stopping') return;
    this.setState('Stopping');
    this.node.stop();
    this.lease.stop();
    this.evictions.stop();
    await this.pods.stop();
    this.link.stop();
    const deregister = options.deregister ?? this.deps.config.deleteNodeOnExit;
    if (deregister && this.node.isRegistered()) await this.deregister();
    this.setState('Stopped');
  }

  /**
   * Deletes the Node, then its Lease; each on its own, so that a Lease that
   * cannot be deleted does not keep the Node (the Lease's owner reference
   * lets the garbage collector remove it later anyway).
   */
  private async deregister(): Promise<void> {
    const node = this.deps.config.nodeName;
    await this.node
      .deleteNode()
      .catch((err: unknown) => this.deps.logger.warn({ err, node }, 'Failed to delete the node on exit'));
    await this.lease
      .deleteLease()
      .catch((err: unknown) =>
        this.deps.logger.warn({ err, node }, 'Failed to delete the node lease on exit'),
      );
  }

  /** The pods bound to this node, for the HTTPS API. */
  podLister(): PodLister {
    return {
      list: (): readonly WirePod[] => this.informer.list(),
      get: (namespace: string, name: string): WirePod | undefined => this.informer.get(namespace, name),
    };
  }

  /** Liveness and readiness for /healthz and /readyz. */
  health(): HealthSource {
    return {
      healthy: () => this.state !== 'Stopped',
      ready: () => {
        if (this.state !== 'Running')
          return { ready: false, reason: `kubelet is ${this.state.toLowerCase()}` };
        if (!this.node.isRegistered()) return { ready: false, reason: 'node not registered' };
        if (!this.link.isSynced()) return { ready: false, reason: `runner link is ${this.link.state}` };
        const readiness = this.node.currentReadiness();
        if (!readiness.ready) return { ready: false, reason: `${readiness.reason}: ${readiness.message}` };
        return { ready: true, reason: 'ok' };
      },
    };
  }
}
