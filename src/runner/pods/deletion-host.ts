import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import type { GroupMonitor } from '../process/group-monitor.js';
import type { ProcessTable } from '../process/process-table.js';
import type { PodKillerDeps } from './pod-killer.js';
import type { ContainerRecord, PodRecord } from './pod-record.js';

/** What a deletion needs from the runner (a subset of what its pod's runtime gets). */
export interface DeletionDeps {
  clock: Clock;
  /** Told to look at the groups again right after SIGKILL went out. */
  monitor: Pick<GroupMonitor, 'checkSoon'>;
  /** Shared full scans, to find and check strays. */
  scanner: PodKillerDeps['scanner'];
  /** Single-process reads (/proc/<pid>/stat). */
  table: Pick<ProcessTable, 'read'>;
  /** Signals a process group or one process; false when it is gone. */
  signalGroup: PodKillerDeps['signalGroup'];
  signalProcess: PodKillerDeps['signalProcess'];
  log: Logger;
}

/** What a deletion needs from its pod. */
export interface DeletionHost {
  readonly record: PodRecord;
  readonly key: string;
  /** Containers whose process group may still have processes. */
  running(): ContainerRecord[];
  /**
   * True while a start is in flight (launching: its request sent, no reply
   * yet): deletion does not end before it settles, so no group is lost.
   */
  launching?(): boolean;
  /** Cancels planned restarts: nothing may start once deletion began. */
  cancelRestarts(): void;
  /**
   * Runs before SIGTERM (preStop hooks, within `boundMs`); SIGTERM follows
   * when it settles. Resolves true when a hook ran.
   */
  beforeTerm?(boundMs: number): Promise<boolean> | undefined;
  /** The record changed: persist and publish it. */
  changed(): void;
  /** Every process is gone: stop watching, remove the directory, forget the pod. */
  finished(): void;
}
