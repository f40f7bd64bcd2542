import { readFileSync } from 'node:fs';
import os from 'node:os';
import { batchedDurableDestination, createRootLogger, type Logger } from '../common/logger.js';
import { repeatedSignalAction } from '../common/repeated-signal.js';
import { version } from '../common/version.js';
import { HealthzServer } from './api/healthz-server.js';
import { Fleet } from './fleet/fleet.js';
import { loadOrCreateServingCert } from './api/serving-cert.js';
import { kubeletHelpText } from './config/kubelet-flags.js';
import { parseKubeletConfig, type KubeletConfig } from './config/kubelet-config.js';
import { ConfigError } from '../common/errors.js';
import { invalidSetting } from './errors.js';
import { realConfigHost } from './host-defaults.js';
import { loadClientNodeFallback, type ClientNodeFallback } from './kube/client-node-fallback.js';
import { KubeApiClient } from './kube/kube-api-client.js';
import { credentialSource } from './kube/kube-credentials.js';
import { heartbeatConnections } from './kube/heartbeat-connections.js';
import { KubeTransport } from './kube/kube-transport.js';
import { parseKubeconfig, type KubeClientConfig } from './kube/kubeconfig.js';
import { LeaseThread } from './node/lease-thread.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Connections to the API server: status patches of a burst of pods share them, one holds the pod watch. */
const API_SERVER_CONNECTIONS = 16;

/** The most nodes this process can serve: one per port of --node-port-range with --fleet, else one. */
function servedNodes(config: KubeletConfig): number {
  return config.fleet ? config.fleet.portTo - config.fleet.portFrom + 1 : 1;
}

/** The CA for client-certificate authentication: --client-ca-file, else the kubeconfig's cluster CA. */
function clientCaPem(config: KubeletConfig, kube: KubeClientConfig): string | undefined {
  if (config.clientCaFile) return readFileSync(config.clientCaFile, 'utf8');
  return kube.caPem;
}

function loadKubeConfig(config: KubeletConfig): KubeClientConfig {
  try {
    const text = readFileSync(config.kubeconfigPath, 'utf8');
    return parseKubeconfig(text, config.kubeconfigPath, (file) => readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalidSetting(
      '--kubeconfig/KUBECONFIG',
      `cannot use ${config.kubeconfigPath}: ${(err as Error).message}`,
    );
  }
}

/** @kubernetes/client-node, loaded only for a kubeconfig with an auth-provider or a proxy-url. */
async function loadFallback(
  config: KubeletConfig,
  kube: KubeClientConfig,
  logger: Logger,
): Promise<ClientNodeFallback | undefined> {
  const needs = kube.clientNode;
  if (!needs) return undefined;
  const fallback = await loadClientNodeFallback(needs).catch((err: unknown) => {
    throw invalidSetting(
      '--kubeconfig/KUBECONFIG',
      `cannot use ${config.kubeconfigPath} through @kubernetes/client-node: ${(err as Error).message}`,
    );
  });
  logger.info(
    { authProvider: needs.authProvider, proxy: needs.proxyUrl !== undefined },
    'The kubeconfig needs @kubernetes/client-node (auth-provider or proxy-url); loaded it',
  );
  return fallback;
}

async function run(config: KubeletConfig, logger: Logger): Promise<void> {
  const kubeConfig = loadKubeConfig(config);
  const fallback = await loadFallback(config, kubeConfig, logger);
  const credentials = fallback?.credentials ?? credentialSource(kubeConfig.credentials);
  const userAgent = `vk-cmd-kubelet/${version()} (${process.platform}/${process.arch})`;
  const transport = new KubeTransport(kubeConfig, credentials, {
    maxSockets: API_SERVER_CONNECTIONS,
    userAgent,
    createAgent: fallback?.createAgent,
    // A fleet holds one pod watch per node: on connections of their own, so patches never wait for one.
    ...(config.fleet ? { watchMaxSockets: Infinity } : {}),
  });
  // Lease requests have connections of their own, as a kubelet's heartbeat client: a renewal never waits
  // behind a queue of pod status patches and events (100 fleet nodes at 20 pods/s sharing the 16 saw
  // renewals 56 s late). How many: heartbeat-connections.ts.
  const heartbeat = new KubeTransport(kubeConfig, credentials, {
    maxSockets: heartbeatConnections(servedNodes(config), config.leaseRenewIntervalSeconds * 1000),
    userAgent,
    createAgent: fallback?.createAgent,
  });
  // A fleet's Leases are renewed on a thread of their own, whose event loop a thousand pods created at
  // once do not hold up (docs/decisions/0016-lease-thread.md). A kubeconfig that needs client-node
  // keeps them on this one: its agents cannot cross threads.
  const leaseThread =
    config.fleet && !fallback
      ? new LeaseThread({
          kube: kubeConfig,
          userAgent,
          maxSockets: heartbeatConnections(servedNodes(config), config.leaseRenewIntervalSeconds * 1000),
          verbosity: config.verbosity,
          stallLimitMs: config.leaseDurationSeconds * 1000,
          logger: logger.child({ component: 'lease-thread' }),
        })
      : undefined;
  leaseThread?.start();
  // In a fleet the nodes share the kubelet's address, so the certificate names the host, not a node.
  const names = config.fleet ? [os.hostname(), 'localhost'] : [config.nodeName, os.hostname(), 'localhost'];
  const cert = await loadOrCreateServingCert(
    config.tlsCertPath,
    config.tlsKeyPath,
    [...new Set(names)],
    [...new Set([config.podIp, '127.0.0.1'])],
  ).catch((err: unknown) => {
    if (config.tlsCertPath === undefined) throw err;
    throw invalidSetting('APISERVER_CERT_LOCATION/APISERVER_KEY_LOCATION', (err as Error).message);
  });
  if (cert.selfSigned) {
    logger.info(
      { node: config.nodeName },
      'No serving certificate given (APISERVER_CERT_LOCATION/APISERVER_KEY_LOCATION); generated a self-signed one',
    );
  }

  const fleet = new Fleet({
    config,
    apiServer: {
      listenAddress: config.kubeletAddress,
      tlsCertPem: cert.certPem,
      tlsKeyPem: cert.keyPem,
      clientCaPem: clientCaPem(config, kubeConfig),
      anonymousAuth: config.anonymousAuth,
      authorizationMode: config.authorizationMode,
      transport,
    },
    kubeApi: (metrics, apiLogger) => new KubeApiClient(transport, metrics, apiLogger, heartbeat),
    ...(leaseThread ? { lease: leaseThread.lease.bind(leaseThread) } : {}),
    logger,
    version: version(),
  });
  const healthz =
    config.healthzPort > 0
      ? new HealthzServer({
          bindAddress: config.healthzBindAddress,
          port: config.healthzPort,
          health: fleet.health(),
          logger,
        })
      : undefined;
  void healthz?.start();

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      if (repeatedSignalAction(signal) === 'ignore') {
        logger.info({ signal }, 'Already shutting down');
        return;
      }
      logger.warn({ signal }, 'Second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    const force = setTimeout(() => {
      logger.error('Shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    void (async () => {
      await fleet.stop();
      await leaseThread?.close();
      await healthz?.stop();
      transport.close();
      heartbeat.close();
      logger.info('Stopped');
      logger.flush();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await fleet.start();
  if (config.fleet) {
    logger.info({ accept: `${config.acceptRunners?.host}:${fleet.acceptPort()}` }, 'Kubelet running a fleet');
  } else {
    logger.info(
      { node: config.nodeName, runner: config.acceptRunners ? 'dial-in' : config.runner.target },
      'Kubelet running',
    );
  }
}

function main(): void {
  let parsed;
  try {
    parsed = parseKubeletConfig(process.argv.slice(2), process.env, realConfigHost());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vk-cmd-kubelet: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(kubeletHelpText());
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`vk-cmd-kubelet ${version()}\n`);
    return;
  }
  // A turn's lines in one write(2): an asynchronous write per line woke a libuv worker thread per
  // pod transition, competing with the event loop for the cores (src/kubelet/README.md, "Cost").
  const logger = createRootLogger('vk-cmd-kubelet', parsed.config.verbosity, batchedDurableDestination());
  logger.info({ node: parsed.config.nodeName, version: version() }, 'Starting vk-cmd kubelet');
  run(parsed.config, logger).catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`vk-cmd-kubelet: ${err.message}\n`);
      logger.flush();
      process.exit(2);
    }
    logger.fatal({ err }, 'Kubelet failed');
    logger.flush();
    process.exit(1);
  });
}

main();
