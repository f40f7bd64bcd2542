import type { ContainerLogs } from '../logs/container-logs.js';
import type { GroupMonitor } from '../process/group-monitor.js';
import type { PodHealthDeps } from '../probes/pod-health.js';
import type { ContainerFiles } from './container-run.js';
import type { StderrPolicy } from './container-status.js';
import type { DeletionDeps } from './deletion-host.js';
import type { ContainerRecord } from './pod-record.js';
import type { BackoffSettings } from './restart-backoff.js';
import type { RunLimitsDeps } from './run-limits.js';
import type { StartBatcherDeps, StartScheduler } from './start-batcher.js';
import type { StartOutcome } from './start-resolution.js';

/**
 * Everything a pod's state machine touches outside itself; its deletion gets the DeletionDeps part.
 * `Pod` is the PodRuntime the callbacks are given (PodRuntimeDeps in pod-runtime.ts).
 */
export interface PodRuntimeDepsOf<Pod> extends DeletionDeps, RunLimitsDeps {
  monitor: Pick<GroupMonitor, 'watchChild' | 'adopt' | 'checkSoon'>;
  /** Starts a run: the contract is StartBatcherDeps.launch. */
  launch: StartBatcherDeps['launch'];
  /** The runner-wide start queue; without it a due start is begun at once, alone. */
  starts?: StartScheduler;
  /**
   * How a start the launcher lost ended (LaunchResult.lost), from evidence
   * (start-resolution.ts); undefined when the evidence cannot be gathered (the start then
   * stays launching, for the next runner to settle). Without it such a start fails with the result's reason.
   */
  settleLostStart?: (c: ContainerRecord) => StartOutcome | undefined;
  files: ContainerFiles;
  /** A fresh random launch token. */
  newLaunchToken: () => string;
  /** Removes a deleted pod's directory (and its namespace directory when empty). */
  removePodDir: (podDir: string) => Promise<void>;
  newLogs: (containerDir: string, onExitCodeFile: () => void) => ContainerLogs;
  policy: StderrPolicy;
  backoff: BackoffSettings;
  keepPodDirs: boolean;
  bootId: string;
  /** Probes and lifecycle hooks; without it they are not run (started and ready stay unset). */
  health?: PodHealthDeps | undefined;
  /** After any change; the owner persists the record and publishes the pod. */
  onChange: (pod: Pod) => void;
  /** Saves the record now (a start's intent must be on disk before its process exists); throws on failure. */
  persistNow: (pod: Pod) => void;
  /** Deletion is complete: every process is gone and the directory is cleaned up. */
  onFinished: (pod: Pod) => void;
}
