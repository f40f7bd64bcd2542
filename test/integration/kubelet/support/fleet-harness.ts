import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createRootLogger, type Logger } from '../../../../src/common/logger.js';
import type { AcceptRunnersConfig, KubeletConfig } from '../../../../src/kubelet/config/kubelet-config.js';
import { Fleet, type FleetDeps } from '../../../../src/kubelet/fleet/fleet.js';
import type { KubeTransport } from '../../../../src/kubelet/kube/kube-transport.js';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';
import { makeDialInPki, type DialInPki } from '../../../support/dial-in-pki.js';
import { DialInRunner } from './dial-in-runner.js';
import { FakeKubeApi } from './fake-kube-api.js';
import { testConfig } from './harness.js';

/** A runner's credential: a token (written to a 0600 file) or a client certificate. */
export type RunnerCredential = { token?: string; cert?: { certFile: string; keyFile: string } };

/**
 * A Fleet (the kubelet process's core) against the fake API server, accepting
 * real vk-cmd-runner processes that dial in over TLS with a throwaway PKI.
 * The kubelet HTTPS API is served with anonymous AlwaysAllow (no reviews).
 */
export class FleetHarness {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-fleet-it-'));
  readonly api = new FakeKubeApi();
  readonly pki: DialInPki = makeDialInPki(this.dir);
  readonly logger: Logger;
  readonly metrics = new Map<string, KubeletMetrics>();
  readonly runners: DialInRunner[] = [];
  fleet: Fleet | undefined;
  config: KubeletConfig | undefined;

  constructor() {
    const verbosity = Number(process.env['VK_TEST_V'] ?? '-1');
    this.logger = createRootLogger(
      'fleet-it',
      verbosity,
      pino.destination({ dest: verbosity >= 0 ? 2 : path.join(this.dir, 'kubelet.log'), sync: true }),
    );
  }

  /** The warnings and errors the kubelet logged (everything with VK_TEST_V set, which goes to stderr). */
  log(): string {
    const file = path.join(this.dir, 'kubelet.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  acceptConfig(overrides: Partial<AcceptRunnersConfig> = {}): AcceptRunnersConfig {
    return {
      host: '127.0.0.1',
      port: 0,
      certFile: this.pki.serverCertFile,
      keyFile: this.pki.serverKeyFile,
      tokensFile: this.pki.tokensFile(
        [
          ['good-token', 'vk-test'],
          ['wild-token', 'vk-*'],
          ['other-token', 'other-node'],
        ],
        'tokens',
      ),
      clientCaFile: this.pki.caFile,
      handshakeTimeoutMs: 3000,
      ...overrides,
    };
  }

  /** Starts the fleet; `start` resolves once a fleet of one's node is registered (so it is not awaited here). */
  async start(
    overrides: Partial<KubeletConfig> = {},
    fleetOptions: Pick<FleetDeps, 'maxConcurrentStarts'> = {},
  ): Promise<Fleet> {
    const config = testConfig(path.join(this.dir, 'unused.sock'), {
      acceptRunners: this.acceptConfig(),
      kubeletPort: 0,
      ...overrides,
    });
    this.config = config;
    const fleet = new Fleet({
      config,
      apiServer: {
        listenAddress: '127.0.0.1',
        tlsCertPem: readFileSync(this.pki.serverCertFile, 'utf8'),
        tlsKeyPem: readFileSync(this.pki.serverKeyFile, 'utf8'),
        clientCaPem: undefined,
        anonymousAuth: true,
        authorizationMode: 'AlwaysAllow',
        // Never used: AlwaysAllow with anonymous callers makes no review.
        transport: undefined as unknown as KubeTransport,
      },
      kubeApi: () => this.api,
      metrics: (nodeName) => {
        const m = new KubeletMetrics({ collectProcessMetrics: false, nodeName });
        this.metrics.set(nodeName, m);
        return m;
      },
      logger: this.logger,
      version: '0.1.0-test',
      ...fleetOptions,
      unitOptions: {
        linkOptions: { initialBackoffMs: 20, maxBackoffMs: 200, callTimeoutMs: 5000 },
        podOptions: { retryInitialMs: 50, retryMaxMs: 200, resyncIntervalMs: 60_000 },
      },
    });
    this.fleet = fleet;
    const started = fleet.start();
    // A fleet of one resolves once registered; wait only until it accepts runners.
    await Promise.race([started, waitUntil(() => fleet.acceptPort() !== undefined)]);
    started.catch((err: unknown) => this.logger.error({ err }, 'fleet start failed'));
    return fleet;
  }

  url(): string {
    return `https://127.0.0.1:${this.fleet!.acceptPort()!}`;
  }

  /** A runner process (not started) asking for `nodeName` with `credential`. */
  runner(nodeName: string, credential: RunnerCredential, extraArgs: string[] = []): DialInRunner {
    const n = this.runners.length;
    let tokenFile: string | undefined;
    if (credential.token !== undefined) {
      tokenFile = path.join(this.dir, `token-${n}`);
      writeFileSync(tokenFile, `${credential.token}\n`, { mode: 0o600 });
    }
    const r = new DialInRunner({
      url: this.url(),
      nodeName,
      caFile: this.pki.caFile,
      rootDir: path.join(this.dir, `root-${n}`),
      ...(tokenFile ? { tokenFile } : {}),
      ...(credential.cert ?? {}),
      extraArgs,
    });
    this.runners.push(r);
    return r;
  }

  async close(): Promise<void> {
    await this.fleet?.stop();
    for (const r of this.runners.splice(0)) await r.stop();
    if (!process.env['KEEP_TEST_DIRS']) rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

/** A pod on `nodeName` that appends a line to `startsFile` each time its container starts, then sleeps. */
export function countingPod(name: string, nodeName: string, startsFile: string): WirePod {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName,
      restartPolicy: 'Never',
      containers: [
        { name: 'c1', image: 'none', command: ['sh', '-c', `echo started >> ${startsFile}; exec sleep 600`] },
      ],
    },
  };
}
