import type { Logger } from '../../common/logger.js';
import type { DialInChannel } from '../accept/dial-in-channel.js';
import type { HealthSource, KubeletApiOptions } from '../api/kubelet-api-options.js';
import { KubeletApiServer } from '../api/kubelet-api-server.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import type { RunnerEndpoint } from '../config/runner-endpoint.js';
import type { KubeApi } from '../kube/kube-api.js';
import { Kubelet } from '../kubelet.js';
import type { KubeletMetrics } from '../kubelet-metrics.js';
import type { NodeLeaseFactory } from '../node/node-lease.js';
import type { StatusWriteTiming } from '../pods/status-writer.js';
import { registerRunnerHealthMetrics } from '../runner-health-metrics.js';
import { createRunnerLink } from '../runner/runner-client.js';
import { RunnerLink, type RunnerLinkOptions } from '../runner/runner-link.js';
import { heartbeatIntervalMs } from '../runner/runner-liveness.js';

/** How long a /metrics scrape waits for the runner's health before serving it absent. */
const RUNNER_HEALTH_TIMEOUT_MS = 1000;

/** Where a node's runner is: an address the kubelet dials, or a dial-in channel runners connect to. */
export type NodeRunner =
  | { kind: 'endpoint'; endpoint: RunnerEndpoint }
  | { kind: 'dial-in'; channel: DialInChannel; description: string };

/** The parts of the kubelet HTTPS API every node of the process shares. */
export type SharedApiOptions = Pick<
  KubeletApiOptions,
  | 'listenAddress'
  | 'tlsCertPem'
  | 'tlsKeyPem'
  | 'clientCaPem'
  | 'anonymousAuth'
  | 'authorizationMode'
  | 'transport'
  | 'shared'
  | 'tokenReviewer'
  | 'accessReviewer'
>;

export interface NodeUnitDeps {
  /** This node's settings: the process's, with its name and kubelet API port. */
  config: KubeletConfig;
  /** This node's API client (its requests count in its metrics). */
  api: KubeApi;
  metrics: KubeletMetrics;
  runner: NodeRunner;
  /** Already naming the node. */
  logger: Logger;
  version: string;
  apiServer: SharedApiOptions;
  /** Tests shorten these. */
  linkOptions?: RunnerLinkOptions;
  podOptions?: { retryInitialMs?: number; retryMaxMs?: number; resyncIntervalMs?: number };
  onStatusWritten?: (timing: StatusWriteTiming) => void;
  /** The node's Lease keeper (the fleet's lease thread); a LeaseController on this event loop by default. */
  lease?: NodeLeaseFactory;
}

type State = 'new' | 'listening' | 'running' | 'stopping' | 'stopped';

/**
 * One node of the process: its runner link, its kubelet HTTPS API on its own
 * port, and its Kubelet (node, lease and pod controllers, pod informer).
 * listen() binds the API port and builds the Kubelet, whose daemonEndpoints
 * report that port; run() then registers the node and starts its loops;
 * stop() undoes both and closes the runner link (and the dial-in channel).
 *
 * States: new -> listening -> running -> stopping -> stopped.
 */
export class NodeUnit {
  readonly link: RunnerLink;
  private readonly apiServer: KubeletApiServer;
  private core: Kubelet | undefined;
  private state: State = 'new';
  private boundPort: number | undefined;

  constructor(private readonly deps: NodeUnitDeps) {
    const { config, metrics, logger, runner } = deps;
    const linkLogger = logger.child({ component: 'runner-link' });
    const linkOptions: RunnerLinkOptions = {
      heartbeatIntervalMs: heartbeatIntervalMs(config.runnerUnreachableGraceSeconds),
      // A dial-in node without its runner: absent (unreachable), not silent; no check is held meanwhile.
      ...(runner.kind === 'dial-in'
        ? { runnerPresent: () => runner.channel.connection() !== undefined }
        : {}),
      ...deps.linkOptions,
    };
    this.link =
      runner.kind === 'endpoint'
        ? createRunnerLink(runner.endpoint, metrics, linkLogger, linkOptions)
        : new RunnerLink(runner.channel.client, metrics, linkLogger, linkOptions);
    // The runner's own health rides on the kubelet's /metrics (vkcmd_runner_*): the runner serves no HTTP.
    registerRunnerHealthMetrics(metrics.registry, () =>
      this.link.getRunnerHealth(RUNNER_HEALTH_TIMEOUT_MS).catch(() => undefined),
    );
    this.apiServer = new KubeletApiServer({
      ...deps.apiServer,
      nodeName: config.nodeName,
      port: config.kubeletPort,
      runner: this.link,
      pods: {
        list: () => this.core?.podLister().list() ?? [],
        get: (ns, name) => this.core?.podLister().get(ns, name),
      },
      health: this.health(),
      metrics,
      logger,
    });
  }

  get nodeName(): string {
    return this.deps.config.nodeName;
  }

  /** The kubelet API port, once listening. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** The node's controllers, once listening. */
  get kubelet(): Kubelet | undefined {
    return this.core;
  }

  /** Binds the kubelet API port (rejects when it cannot: e.g. EADDRINUSE) and builds the Kubelet. */
  async listen(): Promise<number> {
    if (this.state !== 'new') throw new Error(`cannot listen in state ${this.state}`);
    const { config, metrics, logger, runner } = this.deps;
    const { port } = await this.apiServer.start();
    this.boundPort = port;
    this.state = 'listening';
    logger.info({ address: config.kubeletAddress, port }, 'Kubelet API listening');
    const kubelet = new Kubelet({
      config,
      api: this.deps.api,
      runner: this.link,
      metrics,
      logger,
      kubeletPort: port,
      version: this.deps.version,
      ...(runner.kind === 'dial-in' ? { runnerDescription: runner.description } : {}),
      ...(this.deps.podOptions ? { podOptions: this.deps.podOptions } : {}),
      ...(this.deps.onStatusWritten ? { onStatusWritten: this.deps.onStatusWritten } : {}),
      ...(this.deps.lease ? { lease: this.deps.lease } : {}),
    });
    this.core = kubelet;
    metrics.attach({
      runnerPods: () => kubelet.link.pods().values(),
      apiPods: () => kubelet.podLister().list(),
      nodeReady: () => (kubelet.node.isRegistered() ? kubelet.node.currentReadiness().ready : undefined),
      walltimeDeadlineMs: () => kubelet.node.walltimeDeadlineMs(),
      nowMs: Date.now,
    });
    return port;
  }

  /** Connects the runner, registers (or adopts) the Node and starts the loops; resolves once registered. */
  async run(): Promise<void> {
    if (this.state !== 'listening' || !this.core) throw new Error(`cannot run in state ${this.state}`);
    this.state = 'running';
    await this.core.start();
  }

  /**
   * Stops the loops (pending pod statuses get their short drain), the API
   * and the runner link. `deregister` deletes the Node and its Lease (default:
   * --delete-node-on-exit). Pods keep running in the runner. Idempotent.
   */
  async stop(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    await this.core?.stop(options);
    await this.apiServer.stop();
    this.link.close();
    if (this.deps.runner.kind === 'dial-in') await this.deps.runner.channel.close();
    this.state = 'stopped';
  }

  /** Liveness and readiness of this node (its /healthz and /readyz). */
  health(): HealthSource {
    return {
      healthy: () => this.core?.health().healthy() ?? true,
      ready: () => this.core?.health().ready() ?? { ready: false, reason: 'starting' },
    };
  }
}
