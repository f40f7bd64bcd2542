import { mkdirSync } from 'node:fs';
import { describeHostSecurity } from './security/host-security.js';
import path from 'node:path';
import { EventLoopDelayMonitor } from '../common/event-loop-delay.js';
import type { Logger } from '../common/logger.js';
import { version } from '../common/version.js';
import { systemClock, type Clock } from './clock.js';
import type { DialOut } from './connect/dial-out.js';
import { sweepStaleDirectories } from './files/pod-directories.js';
import { CgroupLimiter } from './host/cgroups.js';
import { NodeInfoProvider } from './host/node-info.js';
import { RunnerHealthReporter } from './host/runner-health.js';
import { StatsCollector } from './host/stats-collector.js';
import { DeletedPods } from './pods/deleted-pods.js';
import { PodManager } from './pods/pod-manager.js';
import { prepareStateDirectory } from './pods/state-directory.js';
import { StateLock } from './pods/state-lock.js';
import { PodStateStore } from './pods/state-persistence.js';
import { ProbeTimers } from './probes/probe-timers.js';
import { findLauncher } from './process/find-launcher.js';
import { LauncherClient } from './process/launcher-client.js';
import { RoutedSpawner } from './process/launcher-spawn.js';
import { GroupMonitor } from './process/group-monitor.js';
import { MemoryWatchdog } from './process/memory-watchdog.js';
import { ProcessScanner } from './process/process-scanner.js';
import { detectPageSizeBytes, ProcessTable, signalGroup } from './process/process-table.js';
import { podManagerDeps } from './pod-manager-deps.js';
import type { RunnerConfig } from './runner-config.js';
import { readDialCredentials } from './server/dial-credentials.js';
import { leaveNode, newDialOut, newRunnerServer } from './server/serving-mode.js';
import { RunnerService } from './server/runner-service.js';
import type { RunnerGrpcServer } from './server/grpc-server.js';
import { WatchHub } from './server/watch-hub.js';
import { ExecRegistry } from './interactive/exec-registry.js';
import { InteractiveService } from './interactive/interactive-service.js';
import { killOrphanedExecs, procOrphanSweepDeps } from './interactive/orphan-execs.js';
import { findPtyHelper } from './process/pty-helper.js';

type AppState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The whole runner wired together: state store, pod manager (re-adopting
 * what a previous runner left), the one shared /proc scanner, watch hub,
 * stats, node info, the runner's own health and the gRPC server. start() then stop(); stop() never
 * touches the pods' processes.
 */
export class RunnerApp {
  private state: AppState = 'new';
  readonly hub = new WatchHub();
  readonly manager: PodManager;
  private readonly monitor: GroupMonitor;
  private readonly scanner: ProcessScanner;
  private readonly service: RunnerService;
  private readonly server: RunnerGrpcServer;
  private readonly store: PodStateStore;
  private readonly lock: StateLock;
  private readonly deleted: DeletedPods;
  private readonly table = new ProcessTable();
  /** Dial-out mode only. */
  dialOut: DialOut | undefined;
  private readonly limiter: CgroupLimiter;
  private readonly watchdog: MemoryWatchdog;
  /** Exec sessions' process groups, by container. */
  readonly execs = new ExecRegistry((pgid) => signalGroup(pgid, 0));
  /**
   * Probe and hook commands while they run, for stats only: unlike exec
   * sessions they are not killed from the watch feed (a postStart hook runs
   * while its container is still reported waiting); their container's
   * health kills them when its run ends.
   */
  readonly probeCommands = new ExecRegistry((pgid) => signalGroup(pgid, 0));
  private readonly eventLoopDelay = new EventLoopDelayMonitor();
  private readonly probeTimers: ProbeTimers;
  private readonly launcher: LauncherClient | undefined;

  constructor(
    readonly config: RunnerConfig,
    private readonly log: Logger,
    clock: Clock = systemClock,
    // A snapshot: reading process.env goes to the C environment on every access.
    runnerEnv: NodeJS.ProcessEnv = { ...process.env },
  ) {
    const table = this.table;
    this.scanner = new ProcessScanner(
      table,
      clock,
      () => this.manager.runningPgids(),
      log.child({ component: 'process-scanner' }),
    );
    this.monitor = new GroupMonitor(
      this.scanner,
      (pgid) => signalGroup(pgid, 0),
      clock,
      log.child({ component: 'group-monitor' }),
    );
    this.store = new PodStateStore(config.stateDir, log.child({ component: 'state' }));
    this.lock = new StateLock(config.stateDir, log.child({ component: 'state' }));
    this.deleted = new DeletedPods(
      path.join(config.stateDir, 'deleted-pods'),
      log.child({ component: 'state' }),
    );
    const limitsLog = log.child({ component: 'limits' });
    this.limiter = CgroupLimiter.detect(config.cgroups, config.cgroupParent, limitsLog);
    const pageSizeBytes = detectPageSizeBytes();
    this.watchdog = new MemoryWatchdog(this.scanner, clock, pageSizeBytes, limitsLog);
    const nodeInfo = new NodeInfoProvider(
      config.rootDir,
      version(),
      runnerEnv,
      log.child({ component: 'node-info' }),
      () => this.limiter.enforcement,
    );
    const podLog = log.child({ component: 'pods' });
    const ptyHelper = findPtyHelper(runnerEnv);
    // Containers are forked by the launcher, not by this (large) process; Node's spawn without it.
    const launcherLog = log.child({ component: 'launcher' });
    const launcherFile = findLauncher(runnerEnv);
    this.launcher = launcherFile
      ? new LauncherClient(launcherFile, runnerEnv, clock, launcherLog)
      : undefined;
    const spawner = new RoutedSpawner(this.launcher, table, launcherLog);
    this.probeTimers = new ProbeTimers(clock);
    this.manager = new PodManager(
      config.rootDir,
      this.store,
      this.hub,
      podManagerDeps({
        config,
        clock,
        runnerEnv,
        log,
        podLog,
        table,
        scanner: this.scanner,
        monitor: this.monitor,
        limiter: this.limiter,
        watchdog: this.watchdog,
        launcher: this.launcher,
        spawner,
        ptyHelper,
        probeTimers: this.probeTimers,
        probeCommands: this.probeCommands,
        bootId: nodeInfo.bootId(),
      }),
      this.deleted,
      log.child({ component: 'pod-manager' }),
    );
    const stats = new StatsCollector(
      this.scanner,
      table.procRoot,
      () => this.manager.runtimes(),
      config.rootDir,
      pageSizeBytes,
      Date.now,
      (uid, container) => [
        ...this.execs.groupsOf(uid, container),
        ...this.probeCommands.groupsOf(uid, container),
      ],
    );
    const interactive = new InteractiveService(
      this.manager,
      this.execs,
      runnerEnv,
      ptyHelper,
      nodeInfo.bootId(),
      table,
      log.child({ component: 'interactive' }),
      (uid, container) => this.limiter.procsFilesOf(uid, container),
    );
    const health = new RunnerHealthReporter({
      delay: this.eventLoopDelay,
      podCount: () => this.manager.podCount,
      scans: () => ({ count: this.scanner.scans, lastRoundMs: this.scanner.lastRoundMs }),
      rssBytes: () => process.memoryUsage.rss(),
      nowMs: () => clock.nowMs(),
      startedAtMs: clock.nowMs(),
    });
    this.service = new RunnerService(
      this.manager,
      this.hub,
      stats,
      nodeInfo,
      health,
      log.child({ component: 'grpc' }),
      undefined,
      (hooks) => interactive.handlers(hooks),
    );
    this.server = newRunnerServer(config, this.service.handlers(), log.child({ component: 'grpc' }));
  }

  /**
   * Re-adopts persisted pods and starts serving; returns the bound address
   * ('' in dial-out mode without a unix socket). In dial-out mode it then
   * dials the kubelet and keeps that connection.
   */
  async start(): Promise<string> {
    if (this.state !== 'new') throw new Error(`cannot start in state ${this.state}`);
    this.transition('starting');
    // Only this user may be able to write what decides what runs here after a restart. First,
    // so that the root and its parents, when created for the default <root>/.vk-cmd, are 0700.
    prepareStateDirectory(this.config.stateDir, [path.basename(this.store.podsDir)]);
    mkdirSync(this.config.rootDir, { recursive: true });
    this.store.init();
    this.lock.acquire(this.table);
    this.deleted.load();
    await this.startLauncher();
    const adopted = this.manager.resume();
    this.log.info(
      { pods: adopted, rootDir: this.config.rootDir, stateDir: this.config.stateDir },
      'Loaded pod state',
    );
    this.log.info({ enforcement: this.limiter.enforcement }, 'Container limits');
    this.log.info(describeHostSecurity(this.manager.hostSecurity));
    this.limiter.sweep(new Set(this.manager.runtimes().map((p) => p.record.uid)));
    if (!this.config.keepPodDirs) this.sweepStaleDirectories();
    const connect = this.config.connect;
    // Bad credential files stop the start, as bad flags do; later rotations are read per attempt.
    if (connect) readDialCredentials(this.config);
    try {
      const pods = new Map(this.manager.runtimes().map((r) => [r.record.uid, r.record.podDir]));
      killOrphanedExecs(
        procOrphanSweepDeps(
          this.table,
          (uid, podDir) => pods.get(uid) === podDir,
          this.log.child({ component: 'interactive' }),
        ),
      );
    } catch (err) {
      this.log.warn({ err }, "Cannot look for exec'd processes an earlier runner left");
    }
    // Exec sessions end with their container: the registry follows the same feed as the watchers.
    this.hub.subscribe(
      { deliver: (event) => this.execs.observe(event) },
      { epoch: '', sinceRevision: 0 },
      () => [],
    );
    const where = await this.server.start();
    if (connect) {
      this.dialOut = newDialOut(this.config, connect, this.server.connectionInjector(), this.log);
      this.dialOut.start();
    }
    this.transition('running');
    return where;
  }

  /** Starts the launcher; without one, one warning says that containers start with Node's spawn. */
  private async startLauncher(): Promise<void> {
    if (this.launcher && (await this.launcher.start())) return;
    this.launcher?.stop();
    this.log.warn(
      { launcher: this.launcher ? 'failed to start' : 'not found (VK_CMD_LAUNCHER)' },
      "No launcher; containers start with Node's spawn, which forks the runner",
    );
  }

  /** Two-phase stop of the server; pods keep running. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.transition('stopping');
    this.dialOut?.stop();
    await this.server.stop(this.config.shutdownTimeoutMs, () => {
      this.hub.clear();
      this.service.closeStreams();
    });
    // An exec'd command cannot outlive its stream: nobody could read it or end it.
    this.execs.killAll('the runner is shutting down');
    if (this.config.connect?.deleteNodeOnExit) await leaveNode(this.config, this.config.connect, this.log);
    this.manager.stop();
    this.launcher?.stop();
    this.probeTimers.stop();
    this.watchdog.stop();
    this.monitor.stop();
    this.scanner.stop();
    this.eventLoopDelay.stop();
    this.lock.release();
    this.transition('stopped');
  }

  /** Leftovers of a runner that stopped before it could clean up; in the background. */
  private sweepStaleDirectories(): void {
    sweepStaleDirectories(this.config.rootDir).then(
      (removed) => {
        if (removed.length > 0) this.log.info({ dirs: removed }, 'Removed old pod directories');
      },
      (err: unknown) => this.log.warn({ err }, 'Failed to remove old pod directories'),
    );
  }

  private transition(to: AppState): void {
    this.log.debug({ from: this.state, to }, 'Runner state');
    this.state = to;
  }
}
