import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { freePort } from '../../support/free-port.js';
import { pgidsUnder } from '../../support/pgid-files.js';
import { KUBELET_NODE_FLAGS, RUNNER_NODE_FLAGS, kubeletMallocEnv } from './launch-settings.js';
import { KUBELET_BIN, RUNNER_BIN } from './paths.js';
import { spawnLogged } from './spawn-logged.js';
import { waitForObject } from './wait.js';

export interface VkNodeOptions {
  nodeName: string;
  kubeconfigPath: string;
  kc: KubeConfig;
  /** Extra environment for the kubelet, e.g. JIRIAF_WALLTIME. */
  kubeletEnv?: Record<string, string>;
  kubeletArgs?: string[];
  runnerArgs?: string[];
  /** Extra Node.js flags for both processes (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeFlags?: string[];
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * One vk-cmd node: a real vk-cmd-runner and vk-cmd-kubelet process pair, started
 * the way the wiki's start.sh starts the original (its environment variables
 * and flags), with the runner on a private unix socket and a temp root dir.
 */
export class VkNode {
  readonly workDir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-e2e-node-'));
  readonly rootDir = path.join(this.workDir, 'root');
  readonly socketDir = path.join(this.workDir, 'sock');
  readonly socketPath = path.join(this.socketDir, 'runner.sock');
  readonly logDir = path.join(this.workDir, 'logs');
  kubeletPort = 0;
  runner: ChildProcess | undefined;
  kubelet: ChildProcess | undefined;

  constructor(readonly options: VkNodeOptions) {
    mkdirSync(this.rootDir, { recursive: true });
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.logDir, { recursive: true });
  }

  get nodeName(): string {
    return this.options.nodeName;
  }

  /** Starts both processes and resolves once the Node is Ready in the API. */
  async start(): Promise<V1Node> {
    this.kubeletPort = await freePort();
    await this.startRunner();
    this.startKubelet();
    return this.waitForReady();
  }

  async startRunner(): Promise<void> {
    const args = [
      '--listen',
      `unix://${this.socketPath}`,
      '--root-dir',
      this.rootDir,
      '--v',
      '3',
      ...(this.options.runnerArgs ?? []),
    ];
    this.runner = spawnLogged(this.logDir, 'runner', RUNNER_BIN, args, process.env, [
      ...RUNNER_NODE_FLAGS,
      ...(this.options.nodeFlags ?? []),
    ]);
    const deadline = Date.now() + 20_000;
    while (!existsSync(this.socketPath)) {
      if (this.runner.exitCode !== null)
        throw new Error(`runner exited early; see ${this.logPath('runner')}`);
      if (Date.now() > deadline)
        throw new Error(`runner socket did not appear; see ${this.logPath('runner')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  startKubelet(): void {
    const env = {
      ...process.env,
      ...kubeletMallocEnv(),
      NODENAME: this.nodeName,
      KUBECONFIG: this.options.kubeconfigPath,
      VKUBELET_POD_IP: '127.0.0.1',
      KUBELET_PORT: String(this.kubeletPort),
      JIRIAF_WALLTIME: '0',
      JIRIAF_NODETYPE: 'cpu',
      JIRIAF_SITE: 'mylin',
      ...(this.options.kubeletEnv ?? {}),
    };
    const args = [
      '--nodename',
      this.nodeName,
      '--provider',
      'mock',
      '--klog.v',
      '3',
      '--runner',
      `unix://${this.socketPath}`,
      ...(this.options.kubeletArgs ?? []),
    ];
    this.kubelet = spawnLogged(this.logDir, 'kubelet', KUBELET_BIN, args, env, [
      ...KUBELET_NODE_FLAGS,
      ...(this.options.nodeFlags ?? []),
    ]);
  }

  waitForReady(timeoutMs = 60_000): Promise<V1Node> {
    return waitForObject<V1Node>(
      this.options.kc,
      '/api/v1/nodes',
      { fieldSelector: `metadata.name=${this.nodeName}` },
      (node) => (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      timeoutMs,
      `node ${this.nodeName} Ready`,
    );
  }

  logPath(part: 'runner' | 'kubelet'): string {
    return path.join(this.logDir, `${part}.log`);
  }

  /** The tail of both logs, for a failing test's message. */
  logTail(lines = 40): string {
    return (['runner', 'kubelet'] as const)
      .map((part) => {
        const file = this.logPath(part);
        const text = existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
        return `--- ${part} (${file})\n${text}`;
      })
      .join('\n');
  }

  async killRunner(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.runner) return;
    this.runner.kill(signal);
    await waitForExit(this.runner);
  }

  async killKubelet(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.kubelet) return;
    this.kubelet.kill(signal);
    await waitForExit(this.kubelet);
  }

  /** Stops both processes, kills every process group the runner started and removes the temp dirs. */
  async stop(): Promise<void> {
    await Promise.all([this.killKubelet('SIGTERM'), this.killRunner('SIGTERM')]);
    for (const pgid of pgidsUnder(this.rootDir)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!process.env['KEEP_E2E_NODE_DIRS']) rmSync(this.workDir, { recursive: true, force: true });
  }
}
