import type { WireNode, WireNodeCondition } from '../kube/wire-types.js';
import type { Logger } from '../../common/logger.js';
import { Backoff } from '../../common/backoff.js';
import type { KubeletConfig } from '../config/kubelet-config.js';
import type { KubeApi } from '../kube/kube-api.js';
import type { Runner } from '../runner/runner.js';
import {
  adoptionPatch,
  metadataPatch,
  nodeMetadata,
  presentAnnotations,
  type NodeMetadata,
} from './node-metadata.js';
import {
  buildNode,
  kubeArch,
  nodeConditions,
  nodeStatus,
  nodeStatusPatch,
  placeholderHostFacts,
  type HostFacts,
  type NodeReadiness,
} from './node-object.js';
import { decideReadiness } from './node-readiness.js';
import { nextStatusDelayMs, nodeStatusKey, statusWriteDue } from './node-status-schedule.js';
import {
  resolveDeadline,
  slurmJob,
  walltimeState,
  type DeadlineInputs,
  type WalltimeDeadline,
} from './walltime.js';

/** The part of the Runner interface the node controller reads: host facts and link health. */
export type RunnerHealth = Pick<
  Runner,
  'nodeInfo' | 'isSynced' | 'hasSyncedOnce' | 'unsyncedSinceMs' | 'silentSinceMs'
>;

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
    | 'nodeStatusReportFrequencySeconds'
  >;
  runnerTarget: string;
  /** The port the kubelet API actually bound. */
  kubeletPort: number;
  version: string;
  now?: () => number;
}

/**
 * Registers the Node (or adopts an existing one); keeps its labels and status
 * current (statusWriteDue, nextStatusDelayMs). Patches only its own labels (merge patch)
 * and its own conditions (strategic merge by type), so other writers keep
 * theirs. Readiness follows the walltime, the runner link and whether the
 * runner answers.
 */
export class NodeController {
  private nodeUid: string | undefined;
  private conditions: WireNodeCondition[] | undefined;
  private lastStatusKey = '';
  private lastStatusWriteMs = 0;
  private metadata: NodeMetadata = { labels: {}, annotations: {} };
  private deadline: WalltimeDeadline | undefined;
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

  /** When the node's walltime ends (epoch ms); undefined without a walltime or before it is known. */
  walltimeDeadlineMs(): number | undefined {
    return this.deadline?.deadlineMs;
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

  /** The walltime deadline from the settings, the runner's Slurm job and what the Node records. */
  private resolveDeadline(existing: DeadlineInputs['existing'], nowMs: number): WalltimeDeadline | undefined {
    const { walltimeSeconds } = this.options.config;
    return resolveDeadline({ walltimeSeconds, slurm: slurmJob(this.runner.nodeInfo()), existing, nowMs });
  }

  /** Registers the Node, or adopts the one that exists (keeping the walltime deadline it records). */
  private async register(): Promise<void> {
    const { config } = this.options;
    const nowMs = this.now();
    const existing = await this.api.getNode(config.nodeName);
    this.deadline = this.resolveDeadline(existing?.metadata, nowMs);
    const metadata = nodeMetadata(config, this.hostFacts(), this.deadline, nowMs);
    this.readiness = this.decide(nowMs);
    let node: WireNode;
    if (existing) {
      const patched = await this.api.patchNode(config.nodeName, adoptionPatch(existing, config, metadata));
      node = { ...patched, status: existing.status };
      this.logger.info({ node: config.nodeName, deadline: this.deadline?.origin }, 'Adopted existing node');
    } else {
      const status = this.buildStatus(undefined, nowMs);
      node = await this.api.createNode(
        buildNode(config, status, metadata.labels, presentAnnotations(metadata.annotations)),
      );
      this.logger.info({ node: config.nodeName }, 'Registered node');
    }
    this.nodeUid = node.metadata?.uid;
    this.metadata = metadata;
    this.conditions = node.status?.conditions;
  }

  /** Deletes the Node (a clean exit with --delete-node-on-exit). */
  async deleteNode(): Promise<void> {
    const deleted = await this.api.deleteNode(this.options.config.nodeName);
    this.logger.info({ node: this.options.config.nodeName, deleted }, 'Deleted node');
  }

  private decide(nowMs: number): NodeReadiness {
    const { config } = this.options;
    return decideReadiness({
      walltime: walltimeState(this.deadline, nowMs),
      walltimeSeconds: this.deadline?.walltimeSeconds ?? 0,
      linkSynced: this.runner.isSynced(),
      everSynced: this.runner.hasSyncedOnce(),
      unsyncedSinceMs: this.runner.unsyncedSinceMs(),
      silentSinceMs: this.runner.silentSinceMs(),
      graceMs: config.runnerUnreachableGraceSeconds * 1000,
      nowMs,
      runnerTarget: this.options.runnerTarget,
    });
  }

  private buildStatus(previous: WireNodeCondition[] | undefined, nowMs: number) {
    return nodeStatus({
      config: this.options.config,
      host: this.hostFacts(),
      kubeletPort: this.options.kubeletPort,
      version: this.options.version,
      conditions: nodeConditions(previous, this.readiness, nowMs),
    });
  }

  /** One round: labels and annotations if they changed, status if it changed or is due, then the next timer. */
  private async update(): Promise<void> {
    const { config } = this.options;
    const nowMs = this.now();
    // The Slurm job's end may appear (runner reached late) or move (scontrol update).
    if (config.walltimeSeconds === 0) this.deadline = this.resolveDeadline(this.metadata, nowMs);
    const metadata = nodeMetadata(config, this.hostFacts(), this.deadline, nowMs);
    const patch = metadataPatch(this.metadata, metadata);
    if (patch) {
      await this.api.patchNode(config.nodeName, patch);
      this.metadata = metadata;
    }
    const previousReadiness = this.readiness;
    this.readiness = this.decide(nowMs);
    if (JSON.stringify(previousReadiness) !== JSON.stringify(this.readiness)) {
      this.logger.info({ readiness: this.readiness }, 'Node readiness changed');
    }
    const status = this.buildStatus(this.conditions, nowMs);
    const key = nodeStatusKey(status);
    const reportFrequencyMs = config.nodeStatusReportFrequencySeconds * 1000;
    if (statusWriteDue(key, this.lastStatusKey, nowMs, this.lastStatusWriteMs, reportFrequencyMs)) {
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
    return nextStatusDelayMs({
      nowMs,
      lastStatusWriteMs: this.lastStatusWriteMs,
      updateFrequencyMs: config.nodeStatusUpdateFrequencySeconds * 1000,
      reportFrequencyMs: config.nodeStatusReportFrequencySeconds * 1000,
      walltimeRefreshMs: walltimeState(this.deadline, nowMs).nextRefreshMs,
      ready: this.readiness.ready,
      graceMs: config.runnerUnreachableGraceSeconds * 1000,
      problemSinceMs: [this.runner.unsyncedSinceMs(), this.runner.silentSinceMs()],
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poke(), delayMs);
  }
}
