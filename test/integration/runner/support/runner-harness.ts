import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { createRootLogger } from '../../../../src/common/logger.js';
import { loadRunnerProto } from '../../../../src/common/proto.js';
import type { PodSpec } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import { RunnerApp } from '../../../../src/runner/runner-app.js';
import { parseRunnerArgs, type RunnerConfig } from '../../../../src/runner/runner-config.js';
import { PodWatcher } from './pod-watcher.js';
import { checkLauncherUsed, eventually, pgidsUnder, podProcessesUnder, runnerCommand } from './processes.js';
import { unary } from './runner-calls.js';

// The helpers tests use beside the harness, importable from here as before.
export * from './pod-watcher.js';
export * from './processes.js';
export * from './runner-calls.js';
export * from './runner-pods.js';

/** The text of a file from byte `offset` on. */
function readFrom(file: string, offset: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, statSync(file).size - offset));
    const n = readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** A temp root, socket dir and client; the runner is in-process or a real child process. */
export class RunnerHarness {
  /** How long startProcess waits for the runner's banner: a runner resuming many pods on a loaded host takes longer. */
  startTimeoutMs = 20_000;
  readonly workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-runner-it-'));
  readonly rootDir = path.join(this.workDir, 'root');
  readonly socketPath = path.join(this.workDir, 'sock', 'runner.sock');
  readonly logFile = path.join(this.workDir, 'runner.log');
  app: RunnerApp | undefined;
  child: ChildProcess | undefined;
  client!: RunnerClient;
  readonly watchers: PodWatcher[] = [];

  constructor(
    readonly extraArgs: string[] = [],
    /** Run the runner process as this user (the test runs as root); its directories are chowned to it. */
    readonly user?: { uid: number; gid: number },
  ) {
    mkdirSync(this.rootDir, { recursive: true });
    writeFileSync(this.logFile, '');
    mkdirSync(path.dirname(this.socketPath), { recursive: true, mode: 0o700 });
    if (user) {
      chmodSync(this.workDir, 0o755);
      spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, this.workDir]);
    }
  }

  args(): string[] {
    return [
      '--listen',
      `unix://${this.socketPath}`,
      '--root-dir',
      this.rootDir,
      '--v',
      '3',
      ...this.extraArgs,
    ];
  }

  config(): RunnerConfig {
    const parsed = parseRunnerArgs(this.args(), process.env);
    if (parsed.kind !== 'run') throw new Error('bad args');
    return parsed.config;
  }

  /** Starts the runner in this process. */
  async startInProcess(): Promise<void> {
    const log = createRootLogger(
      'vk-cmd-runner-test',
      3,
      pino.destination({ dest: this.logFile, sync: true, append: true }),
    );
    this.app = new RunnerApp(this.config(), log);
    await this.app.start();
    this.connect();
  }

  /** Starts the real runner (see runnerCommand), with `env` added to its environment, and waits for its socket. */
  async startProcess(env: NodeJS.ProcessEnv = {}): Promise<void> {
    const out = openSync(this.logFile, 'a');
    // Only what this runner writes: the log of many restarts grows large.
    const from = statSync(this.logFile).size;
    const banners = (): number => (readFrom(this.logFile, from).match(/listening on/g) ?? []).length;
    const cmd = runnerCommand(this.args(), { ...process.env, ...env });
    this.child = spawn(cmd.file, cmd.args, {
      env: cmd.env,
      stdio: ['ignore', out, out],
      ...(this.user ? { uid: this.user.uid, gid: this.user.gid } : {}),
    });
    closeSync(out);
    const child = this.child;
    // A socket left by a killed runner exists already: wait for the new runner's banner.
    await eventually(
      () => {
        // A runner killed by a signal has signalCode set and exitCode null.
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`runner exited: ${readFrom(this.logFile, from).slice(-2000)}`);
        return banners() > 0;
      },
      this.startTimeoutMs,
      'runner socket',
      20,
    );
    checkLauncherUsed(child.pid!);
    this.connect();
  }

  connect(): void {
    const { grpcType } = loadRunnerProto();
    this.client?.close();
    // A channel of its own: a shared one may still be backing off from the runner that died.
    this.client = new grpcType.vkcmd.runner.v1.Runner(
      `unix://${this.socketPath}`,
      grpc.credentials.createInsecure(),
      { 'grpc.use_local_subchannel_pool': 1 },
    );
  }

  watch(request: { epoch?: string; sinceRevision?: number; heartbeatIntervalMs?: number } = {}): PodWatcher {
    const w = new PodWatcher(this.client, request);
    this.watchers.push(w);
    return w;
  }

  create(pod: PodSpec): Promise<Pod__Output> {
    return unary(this.client, 'CreatePod', { pod });
  }

  /** Kills the runner process with a signal and waits for it to exit. */
  async killProcess(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.cancel();
    this.client?.close();
    await this.app?.stop();
    await this.killProcess('SIGKILL');
    for (const pgid of pgidsUnder(this.rootDir)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    // What a test left outside the groups (setsid children) must not outlive it either.
    for (const pid of podProcessesUnder(this.rootDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (!process.env['KEEP_RUNNER_TEST_DIRS']) rmSync(this.workDir, { recursive: true, force: true });
  }
}
