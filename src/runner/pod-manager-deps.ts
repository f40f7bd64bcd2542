import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/logger.js';
import type { Clock } from './clock.js';
import { readExitCodeFile, stderrFileInfo, writePgidFile } from './files/container-dir.js';
import { removePodDirectory } from './files/pod-directories.js';
import { claimRunFile, readRunFile, removeRunFile } from './files/run-file.js';
import type { CgroupLimiter } from './host/cgroups.js';
import type { ExecRegistry } from './interactive/exec-registry.js';
import { ContainerLogs } from './logs/container-logs.js';
import type { ManagerDeps } from './pods/pod-manager.js';
import { KUBERNETES_BACKOFF } from './pods/restart-backoff.js';
import { StartQueue } from './pods/start-queue.js';
import { resolveStarts, type StartEvidenceSource } from './pods/start-resolution.js';
import type { ProbeTimers } from './probes/probe-timers.js';
import { launchContainer } from './process/container-launcher.js';
import type { GroupMonitor } from './process/group-monitor.js';
import type { LauncherClient } from './process/launcher-client.js';
import type { RunSpawner } from './process/launcher-spawn.js';
import type { MemoryWatchdog } from './process/memory-watchdog.js';
import type { ProcessScanner } from './process/process-scanner.js';
import { signalGroup, signalProcess, type ProcessTable } from './process/process-table.js';
import type { RunnerConfig } from './runner-config.js';
import { probeHostSecurity } from './security/host-security.js';

/** Pushes that only carry new probe failure counts go out at most this often per pod. */
const PROBE_REPORT_INTERVAL_MS = 1_000;

/** The runner's parts (RunnerApp owns them) that its pods use. */
export interface PodManagerParts {
  config: RunnerConfig;
  clock: Clock;
  /** The runner's environment (a snapshot): containers and probe commands start with it. */
  runnerEnv: NodeJS.ProcessEnv;
  log: Logger;
  /** The pods' logger (component pods). */
  podLog: Logger;
  table: ProcessTable;
  scanner: ProcessScanner;
  monitor: GroupMonitor;
  limiter: CgroupLimiter;
  watchdog: MemoryWatchdog;
  /** The launcher, when there is one; probe and hook commands are forked by it. */
  launcher: LauncherClient | undefined;
  /** Container starts: the launcher, else Node's spawn. */
  spawner: RunSpawner;
  ptyHelper: string | undefined;
  probeTimers: ProbeTimers;
  /** Probe and hook commands while they run (for stats). */
  probeCommands: ExecRegistry;
  bootId: string;
}

/**
 * What the pod manager and every pod's runtime use, wired from the runner's
 * parts: starts through the start queue and the launcher, exactly-once
 * evidence from run files and the shared scanner, the container files,
 * limits, probes and hooks.
 */
export function podManagerDeps(p: PodManagerParts): ManagerDeps {
  const startEvidence: StartEvidenceSource = {
    readRun: readRunFile,
    claimRun: claimRunFile,
    sweep: (tokens) => {
      const snapshot = p.scanner.snapshotNow();
      return new Map(tokens.map((t) => [t, snapshot.launchedWith(t)]));
    },
  };
  const starts = new StartQueue(p.config.startLimits, p.podLog);
  return {
    clock: p.clock,
    monitor: p.monitor,
    table: p.table,
    scanner: p.scanner,
    launch: (plan, dir, token, cgroup) =>
      launchContainer(plan, dir, token, p.runnerEnv, p.spawner, () => p.clock.nowMs(), cgroup, p.ptyHelper),
    starts,
    settleLostStart: (c) => {
      try {
        return resolveStarts([{ dir: c.dir, token: c.launchToken ?? '' }], startEvidence)[0];
      } catch (err) {
        p.podLog.error(
          { err, dir: c.dir },
          'Cannot settle a start the launcher lost; left to the next runner',
        );
        return undefined;
      }
    },
    limiter: p.limiter,
    watchdog: p.watchdog,
    files: {
      stderrInfo: stderrFileInfo,
      readExitCode: readExitCodeFile,
      readRun: readRunFile,
      removeRunFile,
      writePgidFile,
    },
    newLaunchToken: () => randomBytes(8).toString('hex'),
    startEvidence,
    removePodDir: removePodDirectory,
    signalGroup,
    signalProcess,
    newLogs: (dir, onExitCodeFile) => new ContainerLogs(dir, p.podLog, onExitCodeFile, () => p.clock.nowMs()),
    policy: p.config.stderrPolicy,
    backoff: { ...KUBERNETES_BACKOFF, initialMs: p.config.backoffInitialMs, maxMs: p.config.backoffMaxMs },
    keepPodDirs: p.config.keepPodDirs,
    bootId: p.bootId,
    security: probeHostSecurity(),
    log: p.podLog,
    health: {
      clock: p.clock,
      timers: p.probeTimers,
      runnerEnv: p.runnerEnv,
      signalGroup,
      checkSoon: () => p.monitor.checkSoon(),
      random: Math.random,
      log: p.log.child({ component: 'probes' }),
      reportIntervalMs: PROBE_REPORT_INTERVAL_MS,
      // Probe and hook commands count in their container's stats, as exec sessions do.
      commands: p.probeCommands,
      // ... and are forked by the launcher (Node's spawn while it is unavailable), in the container's cgroup.
      startGroup: async (req) => p.launcher?.spawnGroup(req, 'command') ?? { kind: 'unavailable' },
      cgroupOf: (uid, container) => p.limiter.procsFilesOf(uid, container),
    },
  };
}
