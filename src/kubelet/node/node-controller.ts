import type { V1Node, V1NodeCondition, V1Taint } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';
import type { NodeInfo__Output } from '../../generated/vkcmd/runner/v1/NodeInfo.js';
import { Backoff } from '../backoff.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import { isConflict, type KubeApi } from '../kube/kube-api.js';
import { canonical } from '../kube/canonical.js';
import {
  buildNode,
  kubeArch,
  nodeConditions,
  nodeLabels,
  nodeStatus,
  nodeStatusPatch,
  nodeTaints,
  placeholderHostFacts,
  type HostFacts,
  type NodeReadiness,
} from './node-object.js';
import { decideReadiness } from './node-readiness.js';
import { walltimeState } from './walltime.js';

/** The runner facts and link health the node controller reads (RunnerLink provides them). */
export interface RunnerHealth {
  nodeInfo(): NodeInfo__Output | undefined;
  isSynced(): boolean;
  hasSyncedOnce(): boolean;
  unsyncedSinceMs(): number | undefined;
}

export interface NodeControllerOptions {
  config: Pick<
    KubeletConfig,
    | 'nodeName'
    | 'nodeType'
    | 'site'
    | 'walltimeSeconds'
    | 'nodeLabels'
    | 'taints'
    | 'podIp'
    | 'maxPods'
    | 'runnerUnreachableGraceSeconds'
    | 'nodeStatusUpdateFrequencySeconds'
  >;
  runnerTarget: string;
  /** The port the kubelet API actually bound. */
  kubeletPort: number;
  version: string;
  /** When the walltime started counting. */
  startMs: number;
  now?: () => number;
}

/**
 * Registers the Node (or adopts an existing one) and keeps its labels and
 * status current: on every change and at least every
 * nodeStatusUpdateFrequencySeconds. Patches only its own labels (merge patch)
 * and its own conditions (strategic merge by type), so other writers keep
 * theirs. Readiness follows the walltime and the runner link.
 */
export class NodeController {
  private nodeUid: string | undefined;
  private conditions: V1NodeCondition[] | undefined;
  private lastStatusKey = '';
  private lastStatusWriteMs = 0;
  private lastLabels: Record<string, string> = {};
  private readiness: NodeReadiness = { ready: false, reason: 'KubeletNotReady', message: 'starting' };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly backoff = new Backoff(500, 10_000);
  private readonly now: () => number;
  private hostReady: (() => void) | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly runner: RunnerHealth,
    private readonly options: NodeControllerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  uid(): string | undefined {
    return this.nodeUid;
  }

  isRegistered(): boolean {
    return this.nodeUid !== undefined;
  }

  currentReadiness(): NodeReadiness {
    return this.readiness;
  }

  /** Node allocatable for downward-API defaults. */
  allocatable(): { cpu: string; memory: string; 'ephemeral-storage': string } {
    const host = this.hostFacts();
    return {
      cpu: String(host.cpus),
      memory: String(host.memoryBytes),
      'ephemeral-storage': String(host.ephemeralStorageBytes),
    };
  }

  /** Host facts or link state changed: registration may proceed, status may change. */
  onRunnerChanged(): void {
    if (this.runner.hasSyncedOnce()) this.hostReady?.();
    this.poke();
  }

  /**
   * Waits for the runner link's first sync (at most the grace period), registers or
   * adopts the Node, then keeps it updated. Resolves once registered; retries
   * API failures with back-off until stop().
   */
  async start(): Promise<void> {
    if (!this.runner.hasSyncedOnce()) {
      const graceMs = this.options.config.runnerUnreachableGraceSeconds * 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.hostReady = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.hostReady = undefined;
    }
    while (!this.stopped) {
      try {
        await this.register();
        break;
      } catch (err) {
        const delayMs = this.backoff.next();
        this.logger.warn({ err, delayMs }, 'Failed to register node; retrying');
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
    this.backoff.reset();
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Requests a status update as soon as possible (coalesced). */
  poke(): void {
    if (this.stopped || !this.nodeUid) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.update()
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'Failed to update node status');
        this.again = false;
        this.schedule(this.backoff.next());
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private hostFacts(): HostFacts {
    return this.runner.nodeInfo() ?? placeholderHostFacts(kubeArch(process.arch));
  }

  private async register(): Promise<void> {
    const { config } = this.options;
    const nowMs = this.now();
    const wall = walltimeState(config.walltimeSeconds, this.options.startMs, nowMs);
    const labels = nodeLabels(config, this.hostFacts(), wall.aliveSeconds);
    this.readiness = this.decide(nowMs);
    const status = this.buildStatus(undefined, nowMs);
    let node: V1Node;
    try {
      node = await this.api.createNode(buildNode(config, status, labels));
      this.logger.info({ node: config.nodeName }, 'Registered node');
    } catch (err) {
      if (!isConflict(err) && !(err instanceof Error && /already exists/.test(err.message))) throw err;
      const existing = await this.api.getNode(config.nodeName);
      if (!existing) throw err;
      node = await this.adopt(existing, labels);
      this.logger.info({ node: config.nodeName }, 'Adopted existing node');
    }
    this.nodeUid = node.metadata?.uid;
    this.lastLabels = labels;
    this.conditions = node.status?.conditions;
  }

  private async adopt(existing: V1Node, labels: Record<string, string>): Promise<V1Node> {
    const patch: { metadata: { labels: Record<string, string | null> }; spec?: { taints: V1Taint[] } } = {
      metadata: { labels: { ...labels } },
    };
    if (this.options.config.walltimeSeconds <= 0) {
      // Walltime labels are ours; a previous run with a walltime must not leave them behind.
      if (existing.metadata?.labels?.['jiriaf.walltime'] !== undefined)
        patch.metadata.labels['jiriaf.walltime'] = null;
      if (existing.metadata?.labels?.['jiriaf.alivetime'] !== undefined)
        patch.metadata.labels['jiriaf.alivetime'] = null;
    }
    const taints = existing.spec?.taints ?? [];
    const missing = nodeTaints(this.options.config).filter(
      (t) =>
        !taints.some((x) => x.key === t.key && x.effect === t.effect && (x.value ?? '') === (t.value ?? '')),
    );
    if (missing.length > 0) patch.spec = { taints: [...taints, ...missing] };
    const patched = await this.api.patchNode(this.options.config.nodeName, patch);
    return { ...patched, status: existing.status };
  }

  private decide(nowMs: number): NodeReadiness {
    const { config } = this.options;
    return decideReadiness({
      walltime: walltimeState(config.walltimeSeconds, this.options.startMs, nowMs),
      walltimeSeconds: config.walltimeSeconds,
      linkSynced: this.runner.isSynced(),
      everSynced: this.runner.hasSyncedOnce(),
      unsyncedSinceMs: this.runner.unsyncedSinceMs(),
      graceMs: config.runnerUnreachableGraceSeconds * 1000,
      nowMs,
      runnerTarget: this.options.runnerTarget,
    });
  }

  private buildStatus(previous: V1NodeCondition[] | undefined, nowMs: number) {
    return nodeStatus({
      config: this.options.config,
      host: this.hostFacts(),
      kubeletPort: this.options.kubeletPort,
      version: this.options.version,
      conditions: nodeConditions(previous, this.readiness, nowMs),
    });
  }

  /** One round: labels if they changed, status if it changed or is due, then the next timer. */
  private async update(): Promise<void> {
    const { config } = this.options;
    const nowMs = this.now();
    const wall = walltimeState(config.walltimeSeconds, this.options.startMs, nowMs);
    const labels = nodeLabels(config, this.hostFacts(), wall.aliveSeconds);
    if (JSON.stringify(labels) !== JSON.stringify(this.lastLabels)) {
      await this.api.patchNode(config.nodeName, { metadata: { labels } });
      this.lastLabels = labels;
    }
    const previousReadiness = this.readiness;
    this.readiness = this.decide(nowMs);
    if (JSON.stringify(previousReadiness) !== JSON.stringify(this.readiness)) {
      this.logger.info({ readiness: this.readiness }, 'Node readiness changed');
    }
    const status = this.buildStatus(this.conditions, nowMs);
    const key = JSON.stringify(
      canonical({
        ...status,
        conditions: status.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })),
      }),
    );
    const frequencyMs = config.nodeStatusUpdateFrequencySeconds * 1000;
    if (key !== this.lastStatusKey || nowMs - this.lastStatusWriteMs >= frequencyMs) {
      const node = await this.api.patchNodeStatus(config.nodeName, nodeStatusPatch(status));
      this.conditions = node.status?.conditions ?? status.conditions;
      this.lastStatusKey = key;
      this.lastStatusWriteMs = nowMs;
    }
    this.backoff.reset();
    this.schedule(this.nextDelayMs(nowMs));
  }

  private nextDelayMs(nowMs: number): number {
    const { config } = this.options;
    let delayMs = this.lastStatusWriteMs + config.nodeStatusUpdateFrequencySeconds * 1000 - nowMs;
    const wall = walltimeState(config.walltimeSeconds, this.options.startMs, nowMs);
    if (wall.nextRefreshMs !== undefined) delayMs = Math.min(delayMs, wall.nextRefreshMs);
    const since = this.runner.unsyncedSinceMs();
    if (since !== undefined && this.readiness.ready) {
      const graceEndMs = since + config.runnerUnreachableGraceSeconds * 1000 - nowMs;
      if (graceEndMs > 0) delayMs = Math.min(delayMs, graceEndMs + 5);
    }
    return Math.max(5, delayMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poke(), delayMs);
  }
}
