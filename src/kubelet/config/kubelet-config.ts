import path from 'node:path';
import { parseCommandLine, type Env, type ParsedFlags } from '../../common/flags/command-line.js';
import { FlagError } from '../../common/flags/flag-error.js';
import { invalidSetting } from '../errors.js';
import { KUBELET_FLAGS } from './kubelet-flags.js';
import { parseNodeLabels, parseTaint, type NodeTaint } from './node-taints.js';
import {
  checkRunnerSecurity,
  defaultRunnerAddress,
  parseRunnerEndpoint,
  type RunnerEndpoint,
} from './runner-endpoint.js';

/** What parsing needs from the host; injected so the parser stays pure. */
export interface ConfigHost {
  /** Whether a file named by a setting can be read. */
  checkFile(filePath: string): 'readable' | 'missing' | 'unreadable';
  homeDir: string;
  hostname: string;
  /** The address used when VKUBELET_POD_IP is not set. */
  defaultPodIp(): string;
}

type Flags = ParsedFlags<typeof KUBELET_FLAGS>;
type FileFlag =
  | 'tls-cert-file'
  | 'tls-private-key-file'
  | 'runner-ca'
  | 'runner-cert'
  | 'runner-key'
  | 'runner-token-file'
  | 'client-ca-file'
  | 'accept-runners-cert'
  | 'accept-runners-key'
  | 'accept-runners-tokens'
  | 'accept-runners-client-ca';

/** Runners that dial in (--accept-runners): where, the serving pair, and what authenticates them. */
export interface AcceptRunnersConfig {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** TOKEN NODE-NAME-GLOB lines. */
  tokensFile?: string;
  /** CA of runner client certificates (mTLS). */
  clientCaFile?: string;
  handshakeTimeoutMs: number;
}

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
  /** How often the node status is computed to find changes (a changed status is written at once). */
  nodeStatusUpdateFrequencySeconds: number;
  /** The longest an unchanged node status goes unwritten (a kubelet's nodeStatusReportFrequency). */
  nodeStatusReportFrequencySeconds: number;
  leaseDurationSeconds: number;
  leaseRenewIntervalSeconds: number;
  /** Present only with --accept-runners: runners dial in and `runner` is not used. */
  acceptRunners?: AcceptRunnersConfig;
  /** Present only with --fleet: one node per dial-in runner; `nodeName` and `kubeletPort` are not used. */
  fleet?: FleetConfig;
}

/** --fleet: the kubelet API ports of the nodes. */
export interface FleetConfig {
  /** Inclusive. */
  portFrom: number;
  portTo: number;
}

export type ParseResult = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: KubeletConfig };

/** A file the kubelet must be able to read, if the setting is given. */
function readableFile(flags: Flags, name: FileFlag, host: ConfigHost): string | undefined {
  const file = flags.values[name];
  if (file === undefined) return undefined;
  const status = host.checkFile(file);
  if (status === 'missing') throw invalidSetting(flags.setting(name), `file ${file} does not exist`);
  if (status === 'unreadable') throw invalidSetting(flags.setting(name), `file ${file} cannot be read`);
  return file;
}

function runnerEndpoint(flags: Flags, env: Env, host: ConfigHost): RunnerEndpoint {
  const address = flags.values.runner ?? defaultRunnerAddress(env, host.homeDir);
  const runner = parseRunnerEndpoint(address, flags.setting('runner'));
  runner.caPath = readableFile(flags, 'runner-ca', host);
  runner.certPath = readableFile(flags, 'runner-cert', host);
  runner.keyPath = readableFile(flags, 'runner-key', host);
  runner.tokenFile = readableFile(flags, 'runner-token-file', host);
  runner.insecure = flags.values['runner-insecure'];
  checkRunnerSecurity(runner);
  return runner;
}

/** The flags of a command line, or help or version; flag errors become ConfigErrors. */
function readFlags(argv: readonly string[], env: Env, hostDefaults: { nodename: string; 'pod-ip': string }) {
  try {
    return parseCommandLine(KUBELET_FLAGS, argv, env, hostDefaults);
  } catch (err) {
    if (err instanceof FlagError) throw invalidSetting(err.setting, err.problem);
    throw err;
  }
}

/**
 * Parses flags and environment into a validated configuration. Flags win over
 * environment variables. Throws ConfigError naming the offending setting.
 */
export function parseKubeletConfig(argv: readonly string[], env: Env, host: ConfigHost): ParseResult {
  // Validated like given values, so a host name that is no node name is refused by name.
  const hostDefaults = { nodename: host.hostname.toLowerCase(), 'pod-ip': host.defaultPodIp() };
  const parsed = readFlags(argv, env, hostDefaults);
  if (parsed.kind !== 'run') return parsed;
  const { flags } = parsed;
  const v = flags.values;

  const tlsCertPath = readableFile(flags, 'tls-cert-file', host);
  const tlsKeyPath = readableFile(flags, 'tls-private-key-file', host);
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    throw invalidSetting(
      flags.setting(tlsCertPath ? 'tls-private-key-file' : 'tls-cert-file'),
      'the serving certificate and key must be given together',
    );
  }
  if (v['lease-renew-interval'] >= v['lease-duration']) {
    throw invalidSetting('--lease-renew-interval', 'must be shorter than --lease-duration');
  }

  const acceptRunners = acceptRunnersConfig(flags, host);
  const fleet = fleetConfig(flags, acceptRunners !== undefined);
  return {
    kind: 'run',
    config: {
      ...(acceptRunners ? { acceptRunners } : {}),
      ...(fleet ? { fleet } : {}),
      nodeName: v.nodename ?? hostDefaults.nodename,
      kubeconfigPath: resolveKubeconfig(v.kubeconfig, flags.setting('kubeconfig'), host),
      podIp: v['pod-ip'] ?? hostDefaults['pod-ip'],
      kubeletPort: v['kubelet-port'],
      kubeletAddress: v['kubelet-address'],
      tlsCertPath,
      tlsKeyPath,
      walltimeSeconds: v.walltime,
      nodeType: v.nodetype,
      site: v.site,
      verbosity: v['klog.v'],
      runner: runnerEndpoint(flags, env, host),
      runnerUnreachableGraceSeconds: v['runner-unreachable-grace'],
      taints: v['disable-taint'] ? [] : v.taint.map(parseTaint),
      maxPods: v['max-pods'],
      nodeLabels: parseNodeLabels(v['node-labels']),
      clientCaFile: readableFile(flags, 'client-ca-file', host),
      anonymousAuth: v['anonymous-auth'],
      authorizationMode: v['authorization-mode'],
      healthzPort: v['healthz-port'],
      healthzBindAddress: v['healthz-bind-address'],
      ignoreRestartPolicy: v['ignore-restart-policy'],
      deleteNodeOnExit: v['delete-node-on-exit'],
      nodeStatusUpdateFrequencySeconds: v['node-status-update-frequency'],
      nodeStatusReportFrequencySeconds: v['node-status-report-frequency'],
      leaseDurationSeconds: v['lease-duration'],
      leaseRenewIntervalSeconds: v['lease-renew-interval'],
    },
  };
}

/** --fleet and its port range; undefined without --fleet (then --node-port-range is refused). */
function fleetConfig(flags: Flags, acceptsRunners: boolean): FleetConfig | undefined {
  const range = flags.values['node-port-range'];
  if (!flags.values.fleet) {
    if (range !== undefined)
      throw invalidSetting(flags.setting('node-port-range'), 'only valid with --fleet');
    return undefined;
  }
  if (!acceptsRunners) {
    throw invalidSetting('--fleet', 'needs --accept-runners: the nodes are the runners that dial in');
  }
  if (range === undefined) {
    throw invalidSetting('--fleet', "needs --node-port-range FROM-TO for the nodes' kubelet API ports");
  }
  const [from = '', to = ''] = range.split('-');
  return { portFrom: Number(from), portTo: Number(to) };
}

/** --accept-runners and its files; undefined without it (then its other flags are refused). */
function acceptRunnersConfig(flags: Flags, host: ConfigHost): AcceptRunnersConfig | undefined {
  const v = flags.values;
  const others = [
    'accept-runners-cert',
    'accept-runners-key',
    'accept-runners-tokens',
    'accept-runners-client-ca',
  ] as const;
  const address = v['accept-runners'];
  if (address === undefined) {
    for (const name of others) {
      if (v[name] !== undefined)
        throw invalidSetting(flags.setting(name), 'only valid with --accept-runners');
    }
    return undefined;
  }
  if (flags.given('runner')) {
    throw invalidSetting('--runner', 'not used with --accept-runners: runners dial in');
  }
  const certFile = readableFile(flags, 'accept-runners-cert', host);
  const keyFile = readableFile(flags, 'accept-runners-key', host);
  if (certFile === undefined || keyFile === undefined) {
    throw invalidSetting(
      flags.setting(certFile === undefined ? 'accept-runners-cert' : 'accept-runners-key'),
      '--accept-runners needs a serving certificate and key (--accept-runners-cert and --accept-runners-key)',
    );
  }
  const tokensFile = readableFile(flags, 'accept-runners-tokens', host);
  const clientCaFile = readableFile(flags, 'accept-runners-client-ca', host);
  if (tokensFile === undefined && clientCaFile === undefined) {
    throw invalidSetting(
      '--accept-runners',
      'needs a way to authenticate runners: --accept-runners-tokens and/or --accept-runners-client-ca',
    );
  }
  const colon = address.lastIndexOf(':');
  const hostPart = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return {
    host: hostPart === '' ? '0.0.0.0' : hostPart,
    port: Number(address.slice(colon + 1)),
    certFile,
    keyFile,
    ...(tokensFile !== undefined ? { tokensFile } : {}),
    ...(clientCaFile !== undefined ? { clientCaFile } : {}),
    handshakeTimeoutMs: Math.round(v['accept-runners-handshake-timeout'] * 1000),
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
