import type { Logger } from '../../common/logger.js';
import type { Clock } from '../clock.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import type { StderrPolicy } from './container-status.js';
import type { LaunchPlan, LaunchResult } from '../process/container-launcher.js';
import type { GroupMonitor } from '../process/group-monitor.js';
import type { PodRuntime } from './pod-runtime.js';
import type { ProcessScanner } from '../process/process-scanner.js';
import type { ProcessTable } from '../process/process-table.js';
import type { BackoffSettings } from './restart-backoff.js';

/** Everything a pod's state machine touches outside itself. */
export interface PodRuntimeDeps {
  clock: Clock;
  monitor: GroupMonitor;
  /** Single-process reads (/proc/<pid>/stat). */
  table: Pick<ProcessTable, 'read'>;
  /** Shared full scans. */
  scanner: ProcessScanner;
  launch: (plan: LaunchPlan, containerDir: string) => LaunchResult;
  stderrInfo: (containerDir: string) => { sizeBytes: number } | { error: string };
  readExitCode: (containerDir: string) => number | undefined;
  /** The pgid a container directory's pgid file names, if any. */
  readPgidFile: (containerDir: string) => { pgid: number; mtimeMs: number } | undefined;
  /** Removes a deleted pod's directory (and its namespace directory when empty). */
  removePodDir: (podDir: string) => Promise<void>;
  /** Signals a process group or one process; false when it is gone. */
  signalGroup: (pgid: number, signal: NodeJS.Signals | 0) => boolean;
  signalProcess: (pid: number, signal: NodeJS.Signals | 0) => boolean;
  newLogs: (containerDir: string, onExitCodeFile: () => void) => ContainerLogs;
  policy: StderrPolicy;
  backoff: BackoffSettings;
  keepPodDirs: boolean;
  bootId: string;
  log: Logger;
  /** After any change; the owner persists the record and publishes the pod. */
  onChange: (pod: PodRuntime) => void;
  /** Deletion is complete: every process is gone and the directory is cleaned up. */
  onFinished: (pod: PodRuntime) => void;
}
