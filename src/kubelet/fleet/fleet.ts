import type { Logger } from '../../common/logger.js';
import { DialInChannel } from '../accept/dial-in-channel.js';
import { DialInServer } from '../accept/dial-in-server.js';
import type { ClaimAnswer, DialInRequest, LeaveAnswer, RunnerConnection } from '../accept/dial-in-request.js';
import type { HealthSource } from '../api/kubelet-api-options.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import type { KubeApi } from '../kube/kube-api.js';
import { KubeletMetrics, processMetricsRegistry } from '../kubelet-metrics.js';
import { NODE_LEASE_NAMESPACE } from '../node/lease-controller.js';
import type { NodeLeaseFactory } from '../node/node-lease.js';
import { NodeUnit, type NodeRunner, type NodeUnitDeps, type SharedApiOptions } from './node-unit.js';
import { fleetSharedAuth } from './fleet-shared-auth.js';
import { PortPool } from './port-pool.js';
import { SharedProcessMetrics } from './shared-process-metrics.js';
import { CallLimiter } from '../runner/call-limiter.js';

export interface FleetDeps {
  config: KubeletConfig;
  /** The kubelet HTTPS API's shared parts (serving pair, client CA, auth modes, the transport). */
  apiServer: SharedApiOptions;
  /** A node's API client, counting its requests in `metrics`. */
  kubeApi: (metrics: KubeletMetrics, logger: Logger) => KubeApi;
  /** A node's metrics; by default a kubelet's registry per node (with the process's shared in a fleet). */
  metrics?: (nodeName: string) => KubeletMetrics;
  logger: Logger;
  version: string;
  /** Tests shorten the link's and pods' timings and watch status writes. */
  unitOptions?: Pick<NodeUnitDeps, 'linkOptions' | 'podOptions' | 'onStatusWritten'>;
  /** --fleet: new nodes starting (registering the Node, first Lease, pod informer) at once (default 32). */
  maxConcurrentStarts?: number;
  /** The nodes' Lease keepers (the lease thread); each node's LeaseController on this event loop by default. */
  lease?: NodeLeaseFactory;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The kubelet process: the nodes it serves, each a NodeUnit. Without --fleet
 * it is a fleet of one, --nodename, whose runner is --runner or (with
 * --accept-runners) the runner granted that name that dials in. With --fleet
 * every runner that dials in and is granted a name gets a node of that name,
 * with a kubelet API port from --node-port-range; it keeps the node when it
 * reconnects, and one that leaves (vk-cmd-runner --delete-node-on-exit) has
 * its Node and Lease deleted. The nodes share the API transport, the serving
 * certificate and the authentication caches; each has its own
 * Lease, informer, controllers, runner link and metrics.
 */
export class Fleet {
  private readonly units = new Map<string, NodeUnit>();
  /** Nodes being created for a runner's first claim; a second claim waits for the first. */
  private readonly creating = new Map<string, Promise<NodeUnit | undefined>>();
  private server: DialInServer | undefined;
  private ports: PortPool | undefined;
  private sockets = 0;
  private state: State = 'new';
  private readonly processMetrics: SharedProcessMetrics | undefined;
  private readonly shared: SharedApiOptions['shared'];
  /** --fleet: each node's dial-in channel, which its runner claims. */
  private readonly channels = new Map<string, DialInChannel>();
  /**
   * --fleet: new nodes start a few at a time. A whole allocation dials in at
   * once; a thousand nodes registering, creating Leases and listing pods
   * together would share the API connections so thinly that none finished
   * for minutes, while the first ones' renewals were starved as well.
   */
  private readonly starts: CallLimiter;

  constructor(private readonly deps: FleetDeps) {
    const { config, apiServer } = deps;
    this.starts = new CallLimiter(deps.maxConcurrentStarts ?? 32);
    if (!config.fleet) {
      this.processMetrics = undefined;
      this.shared = apiServer.shared;
      return;
    }
    this.processMetrics = new SharedProcessMetrics(processMetricsRegistry());
    this.shared = fleetSharedAuth(apiServer);
  }

  /** The node `name`, if served. */
  unit(name: string): NodeUnit | undefined {
    return this.units.get(name);
  }

  nodeNames(): string[] {
    return [...this.units.keys()];
  }

  /** The dial-in runner connected for node `name`, if any. */
  runnerConnection(name: string): RunnerConnection | undefined {
    return this.channels.get(name)?.connection();
  }

  /** The dial-in address's port (--accept-runners), once started. */
  acceptPort(): number | undefined {
    return this.server?.port;
  }

  /** Connections to --accept-runners still authenticating. */
  pendingHandshakes(): number {
    return this.server?.pendingHandshakes() ?? 0;
  }

  /**
   * Starts serving. A fleet of one registers its node and resolves once it
   * is registered; a --fleet kubelet resolves once it accepts runners.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start the fleet in state ${this.state}`);
    this.state = 'starting';
    const { config } = this.deps;
    const accept = config.acceptRunners;
    if (config.fleet && accept) {
      this.ports = new PortPool(config.fleet.portFrom, config.fleet.portTo);
      this.server = await DialInServer.open(accept, this.deps.logger, {
        claim: (request) => this.claim(request),
        leave: (request) => this.leave(request),
      });
      this.state = 'running';
      return;
    }
    let runner: NodeRunner = { kind: 'endpoint', endpoint: config.runner };
    if (accept) {
      const late: { channel?: DialInChannel } = {};
      this.server = await DialInServer.open(accept, this.deps.logger, {
        claim: (request) =>
          request.nodeName === config.nodeName && late.channel
            ? late.channel.claim(request)
            : Promise.resolve({
                refuse: 403,
                reason: `this kubelet serves node "${config.nodeName}" only, not "${request.nodeName}" (start it with --fleet to serve the nodes runners ask for)`,
              }),
      });
      late.channel = await this.channel(config.nodeName);
      this.channels.set(config.nodeName, late.channel);
      runner = { kind: 'dial-in', channel: late.channel, description: this.server.describe() };
    }
    const unit = this.newUnit(config.nodeName, config.kubeletPort, runner);
    this.units.set(config.nodeName, unit);
    if (runner.kind === 'dial-in') runner.channel.onAttached = () => unit.link.reconnectNow();
    await unit.listen();
    this.state = 'running';
    await unit.run();
  }

  /**
   * Stops every node (in parallel; each writes its pending pod statuses, and
   * deletes its Node and Lease with --delete-node-on-exit), then stops
   * accepting runners. Pods keep running.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    await Promise.allSettled([...this.creating.values()]);
    await Promise.all([...this.units.values()].map((unit) => unit.stop()));
    await this.server?.close();
    this.state = 'stopped';
  }

  /** The process's liveness and readiness (--healthz-port): a fleet of one's node, or accepting runners. */
  health(): HealthSource {
    if (!this.deps.config.fleet) {
      return {
        healthy: () => this.units.get(this.deps.config.nodeName)?.health().healthy() ?? true,
        ready: () =>
          this.units.get(this.deps.config.nodeName)?.health().ready() ?? { ready: false, reason: 'starting' },
      };
    }
    return {
      healthy: () => this.state !== 'stopped',
      ready: () =>
        this.state === 'running'
          ? { ready: true, reason: `accepting runners; ${this.units.size} nodes` }
          : { ready: false, reason: `fleet is ${this.state}` },
    };
  }

  private async channel(nodeName: string): Promise<DialInChannel> {
    const server = this.server!;
    const channel = new DialInChannel({
      nodeName,
      socketPath: server.socketPath(this.sockets++),
      logger: this.deps.logger.child({ component: 'dial-in', node: nodeName }),
    });
    await channel.open();
    return channel;
  }

  private newUnit(nodeName: string, port: number, runner: NodeRunner, metrics?: KubeletMetrics): NodeUnit {
    const { config, logger } = this.deps;
    const nodeLogger = config.fleet ? logger.child({ node: nodeName }) : logger;
    const nodeMetrics = metrics ?? this.metricsFor(nodeName);
    return new NodeUnit({
      config: { ...config, nodeName, kubeletPort: port },
      api: this.deps.kubeApi(nodeMetrics, nodeLogger.child({ component: 'kube-api' })),
      metrics: nodeMetrics,
      runner,
      logger: nodeLogger,
      version: this.deps.version,
      apiServer: { ...this.deps.apiServer, ...(this.shared ? { shared: this.shared } : {}) },
      ...(this.deps.lease ? { lease: this.deps.lease } : {}),
      ...this.deps.unitOptions,
    });
  }

  private metricsFor(nodeName: string): KubeletMetrics {
    if (this.deps.metrics) return this.deps.metrics(nodeName);
    return new KubeletMetrics({
      nodeName,
      ...(this.processMetrics ? { processMetrics: this.processMetrics } : {}),
    });
  }

  /** --fleet: a granted runner gets its node, created on its first claim. */
  private async claim(request: DialInRequest): Promise<ClaimAnswer> {
    if (this.state !== 'running') return { refuse: 503, reason: 'the kubelet is stopping' };
    const unit = this.units.get(request.nodeName) ?? (await this.create(request.nodeName));
    if (!unit) {
      const { portFrom, portTo } = this.deps.config.fleet!;
      return {
        refuse: 503,
        reason: `no free port left in --node-port-range ${portFrom}-${portTo} for node "${request.nodeName}"`,
      };
    }
    const runner = this.runnerOf(unit);
    return runner ? runner.claim(request) : { refuse: 503, reason: 'the node is being deleted' };
  }

  private runnerOf(unit: NodeUnit): DialInChannel | undefined {
    return this.channels.get(unit.nodeName);
  }

  /** Creates a node (deduplicated per name); undefined when no port is left. */
  private create(nodeName: string): Promise<NodeUnit | undefined> {
    let pending = this.creating.get(nodeName);
    if (!pending) {
      pending = this.createNow(nodeName).finally(() => this.creating.delete(nodeName));
      this.creating.set(nodeName, pending);
    }
    return pending;
  }

  private async createNow(nodeName: string): Promise<NodeUnit | undefined> {
    const ports = this.ports!;
    const metrics = this.metricsFor(nodeName);
    // The port the Node already records (a kubelet restart), so the API server keeps finding it.
    const api = this.deps.kubeApi(metrics, this.deps.logger.child({ node: nodeName, component: 'kube-api' }));
    let preferred = await api.getNode(nodeName).then(
      (node) => node?.status?.daemonEndpoints?.kubeletEndpoint?.Port,
      () => undefined,
    );
    const channel = await this.channel(nodeName);
    for (;;) {
      const port = ports.acquire(nodeName, preferred);
      if (port === undefined) {
        await channel.close();
        return undefined;
      }
      preferred = undefined;
      const unit = this.newUnit(
        nodeName,
        port,
        { kind: 'dial-in', channel, description: this.server!.describe() },
        metrics,
      );
      try {
        await unit.listen();
      } catch (err) {
        this.deps.logger.warn({ err, node: nodeName, port }, 'Kubelet API port busy; trying the next');
        ports.markBusy(port);
        continue;
      }
      channel.onAttached = () => unit.link.reconnectNow();
      this.units.set(nodeName, unit);
      this.channels.set(nodeName, channel);
      this.deps.logger.info({ node: nodeName, port }, 'Serving a new node');
      this.starts
        .run(() =>
          this.state === 'running' && this.units.get(nodeName) === unit ? unit.run() : Promise.resolve(),
        )
        .catch((err: unknown) => this.deps.logger.error({ err, node: nodeName }, 'Node failed to start'));
      return unit;
    }
  }

  /** --fleet: a runner that leaves has its node stopped and its Node and Lease deleted. */
  private async leave(request: DialInRequest): Promise<LeaveAnswer> {
    const name = request.nodeName;
    await this.creating.get(name);
    const unit = this.units.get(name);
    if (!unit) {
      // Not served by this process (e.g. it restarted and the runner has not reconnected): delete anyway.
      const api = this.deps.kubeApi(this.metricsFor(name), this.deps.logger.child({ node: name }));
      await api.deleteNode(name);
      await api.deleteLease(NODE_LEASE_NAMESPACE, name).catch(() => false);
      return { status: 200, reason: `node "${name}" deleted` };
    }
    this.units.delete(name);
    this.channels.delete(name);
    await unit.stop({ deregister: true });
    if (unit.port !== undefined) this.ports?.release(unit.port);
    return { status: 200, reason: `node "${name}" deleted` };
  }
}
