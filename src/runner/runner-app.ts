import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../common/logger.js';
import { version } from '../common/version.js';
import { systemClock, type Clock } from './clock.js';
import { ContainerLogs } from './container-logs.js';
import { launchContainer, readExitCodeFile } from './container-launcher.js';
import { errorMessage } from './errors.js';
import { GroupMonitor } from './group-monitor.js';
import { RunnerGrpcServer } from './grpc-server.js';
import { NodeInfoProvider } from './node-info.js';
import { PodManager } from './pod-manager.js';
import { detectPageSizeBytes, ProcessTable, signalGroup, signalProcess } from './process-table.js';
import { KUBERNETES_BACKOFF } from './restart-backoff.js';
import type { RunnerConfig } from './runner-config.js';
import { RunnerService } from './runner-service.js';
import { PodStateStore } from './state-persistence.js';
import { StatsCollector } from './stats-collector.js';
import { WatchHub } from './watch-hub.js';

type AppState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The whole runner wired together: state store, pod manager (re-adopting
 * what a previous runner left), watch hub, stats, node info and the gRPC
 * server. start() then stop(); stop() never touches the pods' processes.
 */
export class RunnerApp {
  private state: AppState = 'new';
  readonly hub = new WatchHub();
  readonly manager: PodManager;
  private readonly monitor: GroupMonitor;
  private readonly service: RunnerService;
  private readonly server: RunnerGrpcServer;
  private readonly store: PodStateStore;
  private readonly table = new ProcessTable();

  constructor(
    readonly config: RunnerConfig,
    private readonly log: Logger,
    clock: Clock = systemClock,
    // A snapshot: reading process.env goes to the C environment on every access.
    runnerEnv: NodeJS.ProcessEnv = { ...process.env },
  ) {
    const table = this.table;
    this.monitor = new GroupMonitor(table, log.child({ component: 'group-monitor' }));
    this.store = new PodStateStore(config.stateDir, log.child({ component: 'state' }));
    const nodeInfo = new NodeInfoProvider(
      config.rootDir,
      version(),
      runnerEnv,
      log.child({ component: 'node-info' }),
    );
    const podLog = log.child({ component: 'pods' });
    this.manager = new PodManager(
      config.rootDir,
      this.store,
      this.hub,
      {
        clock,
        monitor: this.monitor,
        table,
        launch: (plan, dir) => launchContainer(plan, dir, runnerEnv, table, () => clock.nowMs()),
        stderrInfo: (dir) => {
          try {
            return { sizeBytes: statSync(path.join(dir, 'stderr')).size };
          } catch (err) {
            return { error: errorMessage(err) };
          }
        },
        readExitCode: (dir) => readExitCodeFile(dir, (f) => readFileSync(f, 'utf8')),
        readPgidFile: (dir) => {
          try {
            const file = path.join(dir, 'pgid');
            const pgid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
            return pgid > 1 ? { pgid, mtimeMs: statSync(file).mtimeMs } : undefined;
          } catch {
            return undefined;
          }
        },
        removePodDir: (dir) => rmSync(dir, { recursive: true, force: true }),
        signalGroup,
        signalProcess,
        newLogs: (dir, onExitCodeFile) => new ContainerLogs(dir, podLog, onExitCodeFile, () => clock.nowMs()),
        policy: config.stderrPolicy,
        backoff: { ...KUBERNETES_BACKOFF, initialMs: config.backoffInitialMs, maxMs: config.backoffMaxMs },
        keepPodDirs: config.keepPodDirs,
        bootId: nodeInfo.bootId(),
        log: podLog,
      },
      log.child({ component: 'pod-manager' }),
    );
    const stats = new StatsCollector(
      table,
      () => this.manager.runtimes(),
      config.rootDir,
      detectPageSizeBytes(),
    );
    this.service = new RunnerService(
      this.manager,
      this.hub,
      stats,
      nodeInfo,
      log.child({ component: 'grpc' }),
    );
    this.server = new RunnerGrpcServer(
      config.listen,
      config,
      this.service.handlers(),
      log.child({ component: 'grpc' }),
    );
  }

  /** Re-adopts persisted pods and starts serving; returns the bound address. */
  async start(): Promise<string> {
    if (this.state !== 'new') throw new Error(`cannot start in state ${this.state}`);
    this.transition('starting');
    mkdirSync(this.config.rootDir, { recursive: true });
    this.store.init();
    this.store.acquireLock(this.table);
    const adopted = this.manager.resume();
    this.log.info(
      { pods: adopted, rootDir: this.config.rootDir, stateDir: this.config.stateDir },
      'Loaded pod state',
    );
    const where = await this.server.start();
    this.transition('running');
    return where;
  }

  /** Two-phase stop of the server; pods keep running. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.transition('stopping');
    await this.server.stop(this.config.shutdownTimeoutMs, () => {
      this.hub.clear();
      this.service.closeStreams();
    });
    this.manager.stop();
    this.monitor.stop();
    this.store.releaseLock();
    this.transition('stopped');
  }

  private transition(to: AppState): void {
    this.log.debug({ from: this.state, to }, 'Runner state');
    this.state = to;
  }
}
