import net from 'node:net';
import path from 'node:path';
import { invalidSetting } from '../errors.js';
import { FlagValues, type ConfigHost } from './flag-values.js';
import { DEFAULT_TAINT, parseNodeLabels, parseTaint, type NodeTaint } from './node-taints.js';
import {
  checkRunnerSecurity,
  defaultRunnerAddress,
  parseRunnerEndpoint,
  type RunnerEndpoint,
} from './runner-endpoint.js';
import { isDnsSubdomain, isLabelValue } from './validation.js';

export type { ConfigHost } from './flag-values.js';

/** The kubelet's validated settings. Immutable after parsing. */
export interface KubeletConfig {
  nodeName: string;
  kubeconfigPath: string;
  podIp: string;
  kubeletPort: number;
  kubeletAddress: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  /** JIRIAF_WALLTIME; 0 = none (or the runner's Slurm job end). */
  walltimeSeconds: number;
  nodeType: string;
  site: string;
  verbosity: number;
  runner: RunnerEndpoint;
  runnerUnreachableGraceSeconds: number;
  taints: NodeTaint[];
  maxPods: number;
  nodeLabels: Record<string, string>;
  clientCaFile?: string;
  anonymousAuth: boolean;
  authorizationMode: 'Webhook' | 'AlwaysAllow';
  /** Plain-HTTP /healthz and /readyz; 0 = off. */
  healthzPort: number;
  healthzBindAddress: string;
  ignoreRestartPolicy: boolean;
  /** Delete the Node and its Lease on a clean shutdown. */
  deleteNodeOnExit: boolean;
  nodeStatusUpdateFrequencySeconds: number;
  leaseDurationSeconds: number;
  leaseRenewIntervalSeconds: number;
}

export type ParseResult = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: KubeletConfig };

function ipAddress(values: FlagValues, name: string, fallback: () => string): string {
  const value = values.str(name) ?? fallback();
  if (net.isIP(value) === 0) throw invalidSetting(values.setting(name), `"${value}" is not an IP address`);
  return value;
}

function labelValue(values: FlagValues, name: string): string {
  const value = values.str(name) ?? '';
  if (!isLabelValue(value))
    throw invalidSetting(values.setting(name), `"${value}" is not a valid label value`);
  return value;
}

function runnerEndpoint(
  values: FlagValues,
  env: Readonly<Record<string, string | undefined>>,
  host: ConfigHost,
): RunnerEndpoint {
  const address = values.str('runner') ?? defaultRunnerAddress(env, host.homeDir);
  const runner = parseRunnerEndpoint(address, values.setting('runner'));
  runner.caPath = values.readableFile('runner-ca');
  runner.certPath = values.readableFile('runner-cert');
  runner.keyPath = values.readableFile('runner-key');
  runner.tokenFile = values.readableFile('runner-token-file');
  runner.insecure = values.bool('runner-insecure', false);
  checkRunnerSecurity(runner);
  return runner;
}

/**
 * Parses flags and environment into a validated configuration. Flags win over
 * environment variables. Throws ConfigError naming the offending setting.
 */
export function parseKubeletConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  host: ConfigHost,
): ParseResult {
  const values = new FlagValues(argv, env, host);
  if (values.bool('help', false)) return { kind: 'help' };
  if (values.bool('version', false)) return { kind: 'version' };

  const provider = values.str('provider') ?? 'mock';
  if (provider !== 'mock') throw invalidSetting('--provider', `unknown provider "${provider}" (only "mock")`);

  const nodeName = values.str('nodename') ?? host.hostname.toLowerCase();
  if (!isDnsSubdomain(nodeName)) {
    throw invalidSetting(
      values.setting('nodename'),
      `"${nodeName}" is not a valid node name (lower-case DNS subdomain)`,
    );
  }

  const tlsCertPath = values.readableFile('tls-cert-file');
  const tlsKeyPath = values.readableFile('tls-private-key-file');
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    throw invalidSetting(
      values.setting(tlsCertPath ? 'tls-private-key-file' : 'tls-cert-file'),
      'the serving certificate and key must be given together',
    );
  }

  const authorizationMode = values.str('authorization-mode') ?? 'Webhook';
  if (authorizationMode !== 'Webhook' && authorizationMode !== 'AlwaysAllow') {
    throw invalidSetting('--authorization-mode', `"${authorizationMode}" is not Webhook or AlwaysAllow`);
  }

  const leaseDurationSeconds = values.int('lease-duration', 40, 1, 3600);
  const leaseRenewIntervalSeconds = values.seconds('lease-renew-interval', 10, 0.1, 3600);
  if (leaseRenewIntervalSeconds >= leaseDurationSeconds) {
    throw invalidSetting('--lease-renew-interval', 'must be shorter than --lease-duration');
  }

  const taints = values.bool('disable-taint', false)
    ? []
    : values.has('taint')
      ? values.all('taint').map(parseTaint)
      : [DEFAULT_TAINT];

  return {
    kind: 'run',
    config: {
      nodeName,
      kubeconfigPath: resolveKubeconfig(values.str('kubeconfig'), values.setting('kubeconfig'), host),
      podIp: ipAddress(values, 'pod-ip', () => host.defaultPodIp()),
      kubeletPort: values.int('kubelet-port', 10250, 0, 65535),
      kubeletAddress: ipAddress(values, 'kubelet-address', () => '0.0.0.0'),
      tlsCertPath,
      tlsKeyPath,
      walltimeSeconds: values.int('walltime', 0, 0, Number.MAX_SAFE_INTEGER),
      nodeType: labelValue(values, 'nodetype'),
      site: labelValue(values, 'site'),
      verbosity: values.int('klog.v', 0, -10, 10),
      runner: runnerEndpoint(values, env, host),
      runnerUnreachableGraceSeconds: values.seconds('runner-unreachable-grace', 40, 0),
      taints,
      maxPods: values.int('max-pods', 1000, 1, 1_000_000),
      nodeLabels: parseNodeLabels(values.all('node-labels')),
      clientCaFile: values.readableFile('client-ca-file'),
      anonymousAuth: values.bool('anonymous-auth', false),
      authorizationMode,
      healthzPort: values.int('healthz-port', 10248, 0, 65535),
      healthzBindAddress: ipAddress(values, 'healthz-bind-address', () => '127.0.0.1'),
      ignoreRestartPolicy: values.bool('ignore-restart-policy', false),
      deleteNodeOnExit: values.bool('delete-node-on-exit', false),
      nodeStatusUpdateFrequencySeconds: values.seconds('node-status-update-frequency', 60, 1, 60),
      leaseDurationSeconds,
      leaseRenewIntervalSeconds,
    },
  };
}

function resolveKubeconfig(value: string | undefined, setting: string, host: ConfigHost): string {
  if (value !== undefined) {
    // KUBECONFIG may be a path list; the first existing file is used, as kubectl reads the first for writes.
    const candidates = value.split(path.delimiter).filter((p) => p !== '');
    const found = candidates.find((p) => host.checkFile(p) !== 'missing');
    if (!found) throw invalidSetting(setting, `kubeconfig file ${value} does not exist`);
    if (host.checkFile(found) === 'unreadable')
      throw invalidSetting(setting, `kubeconfig file ${found} cannot be read`);
    return found;
  }
  const fallback = path.join(host.homeDir, '.kube', 'config');
  if (host.checkFile(fallback) === 'readable') return fallback;
  throw invalidSetting(
    '--kubeconfig/KUBECONFIG',
    `no kubeconfig (${fallback} does not exist): the kubelet needs API credentials to register the node and to authenticate and authorise API callers`,
  );
}
