import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { pino } from 'pino';
import { createRootLogger, type Logger } from '../../../../src/common/logger.js';
import type { KubeletConfig } from '../../../../src/kubelet/config/kubelet-config.js';
import { parseRunnerEndpoint } from '../../../../src/kubelet/config/runner-endpoint.js';
import { Kubelet } from '../../../../src/kubelet/kubelet.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';
import type { StatusWriteTiming } from '../../../../src/kubelet/pods/status-writer.js';
import { createRunnerLink, type RunnerKeepalive } from '../../../../src/kubelet/runner/runner-client.js';
import { heartbeatIntervalMs } from '../../../../src/kubelet/runner/runner-liveness.js';
import { RunnerLink } from '../../../../src/kubelet/runner/runner-link.js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import { FakeKubeApi } from './fake-kube-api.js';
import { FakeRunner } from './fake-runner.js';

/** Resolves when `condition` holds, checking every few milliseconds; rejects after the deadline. */
export async function waitFor<T>(
  condition: () => T | undefined | false,
  timeoutMs: number,
  description: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function testConfig(socketPath: string, overrides: Partial<KubeletConfig> = {}): KubeletConfig {
  return {
    nodeName: 'vk-test',
    kubeconfigPath: '/dev/null',
    podIp: '10.1.2.3',
    kubeletPort: 10250,
    kubeletAddress: '127.0.0.1',
    walltimeSeconds: 0,
    nodeType: 'cpu',
    site: 'mylin',
    verbosity: 0,
    runner: parseRunnerEndpoint(`unix://${socketPath}`),
    runnerUnreachableGraceSeconds: 40,
    taints: [{ key: 'virtual-kubelet.io/provider', value: 'mock', effect: 'NoSchedule' }],
    maxPods: 1000,
    nodeLabels: {},
    anonymousAuth: false,
    authorizationMode: 'Webhook',
    healthzPort: 0,
    healthzBindAddress: '127.0.0.1',
    ignoreRestartPolicy: false,
    deleteNodeOnExit: false,
    nodeStatusUpdateFrequencySeconds: 60,
    nodeStatusReportFrequencySeconds: 300,
    leaseDurationSeconds: 40,
    leaseRenewIntervalSeconds: 10,
    ...overrides,
  };
}

/** A fake API, a fake runner on a unix socket in a temp dir, and kubelets started against them. */
export class Harness {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-kubelet-it-'));
  readonly api = new FakeKubeApi();
  readonly runner = new FakeRunner(path.join(this.dir, 'runner.sock'));
  readonly timings: StatusWriteTiming[] = [];
  readonly metrics = new KubeletMetrics({ collectProcessMetrics: false });
  readonly logger: Logger;
  private readonly kubelets: Array<{ kubelet: Kubelet; link: RunnerLink }> = [];

  constructor() {
    const verbosity = Number(process.env['VK_TEST_V'] ?? '-1');
    this.logger = createRootLogger(
      'kubelet-it',
      verbosity,
      pino.destination({ dest: verbosity >= 0 ? 2 : path.join(this.dir, 'kubelet.log'), sync: true }),
    );
  }

  async startRunner(): Promise<void> {
    await this.runner.start();
  }

  async startKubelet(
    overrides: Partial<KubeletConfig> = {},
    options: {
      waitStarted?: boolean;
      keepalive?: RunnerKeepalive;
      /** A client of the runner to use instead of one for the fake runner's socket (a dial-in bridge's). */
      runnerClient?: RunnerClient;
      runnerDescription?: string;
    } = {},
  ): Promise<Kubelet> {
    const config = testConfig(this.runner.socketPath, overrides);
    const linkOptions = {
      initialBackoffMs: 20,
      maxBackoffMs: 200,
      callTimeoutMs: 2000,
      heartbeatIntervalMs: heartbeatIntervalMs(config.runnerUnreachableGraceSeconds),
      ...(options.keepalive ? { keepalive: options.keepalive } : {}),
    };
    const linkLogger = this.logger.child({ component: 'runner-link' });
    const link = options.runnerClient
      ? new RunnerLink(options.runnerClient, this.metrics, linkLogger, linkOptions)
      : createRunnerLink(config.runner, this.metrics, linkLogger, linkOptions);
    const kubelet = new Kubelet({
      config,
      api: this.api,
      runner: link,
      metrics: this.metrics,
      logger: this.logger,
      kubeletPort: 10250,
      version: '0.1.0-test',
      podOptions: { retryInitialMs: 50, retryMaxMs: 200, resyncIntervalMs: 60_000 },
      onStatusWritten: (t) => this.timings.push(t),
      ...(options.runnerDescription ? { runnerDescription: options.runnerDescription } : {}),
    });
    this.kubelets.push({ kubelet, link });
    const started = kubelet.start();
    if (options.waitStarted ?? true) await started;
    return kubelet;
  }

  async stopKubelet(kubelet: Kubelet): Promise<void> {
    const entry = this.kubelets.find((k) => k.kubelet === kubelet);
    await kubelet.stop();
    entry?.link.close();
    this.kubelets.splice(this.kubelets.indexOf(entry!), 1);
  }

  /** Runner event -> status patch issued, in ms, for every patch caused by a runner event. */
  latenciesMs(): number[] {
    return this.timings
      .filter((t) => t.eventAtMs !== undefined)
      .map((t) => t.issuedAtMs - (t.eventAtMs ?? 0));
  }

  async close(): Promise<void> {
    for (const { kubelet, link } of this.kubelets.splice(0)) {
      await kubelet.stop();
      link.close();
    }
    await this.runner.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Registers mocha hooks: a fresh Harness per test (its runner started unless told not to), closed after it. */
export function harnessPerTest(set: (h: Harness) => void, options: { startRunner?: boolean } = {}): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = new Harness();
    set(current);
    if (options.startRunner ?? true) await current.startRunner();
  });
  afterEach(async () => {
    await current?.close();
  });
}

/** A pod whose one container sleeps (command only, no script volume). */
export function sleeperPod(name: string, restartPolicy = 'Never'): WirePod {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: 'vk-test',
      restartPolicy,
      containers: [{ name: 'c1', image: 'none', command: ['sleep', '600'] }],
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
