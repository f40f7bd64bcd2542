import net from 'node:net';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { FLAGS, type FlagSpec } from './flag-table.js';
import { isDnsSubdomain, isLabelValue, isQualifiedName } from './validation.js';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface NodeTaint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

/** Where and how to reach the runner. */
export interface RunnerEndpoint {
  /** grpc-js target: `unix:///abs/path` or `host:port`. */
  target: string;
  transport: 'unix' | 'tcp';
  caPath?: string;
  certPath?: string;
  keyPath?: string;
  tokenFile?: string;
  /** Plain-text TCP; only with --runner-insecure. */
  insecure: boolean;
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
  ignoreRestartPolicy: boolean;
  nodeStatusUpdateFrequencySeconds: number;
  leaseDurationSeconds: number;
  leaseRenewIntervalSeconds: number;
}

export type ParseResult = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: KubeletConfig };

/** What parsing needs from the host; injected so the parser stays pure. */
export interface ConfigHost {
  fileExists(filePath: string): boolean;
  homeDir: string;
  hostname: string;
  /** The address used when VKUBELET_POD_IP is not set. */
  defaultPodIp(): string;
}

export const DEFAULT_TAINT: NodeTaint = {
  key: 'virtual-kubelet.io/provider',
  value: 'mock',
  effect: 'NoSchedule',
};

type RawValues = Map<string, string[]>;

function findFlag(name: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.name === name || (f.aliases ?? []).includes(name));
}

/** Splits argv into flag values; rejects unknown flags and positional arguments. */
export function tokenizeArgs(argv: readonly string[]): RawValues {
  const values: RawValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([A-Za-z0-9][A-Za-z0-9.-]*)(?:=(.*))?$/s.exec(arg);
    if (!match || !match[1]) throw new ConfigError(arg, 'unexpected argument (flags start with --)');
    const spec = findFlag(match[1]);
    if (!spec) throw new ConfigError(`--${match[1]}`, 'unknown flag (see --help)');
    let value = match[2];
    if (value === undefined) {
      if (spec.kind === 'bool') value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new ConfigError(`--${spec.name}`, 'needs a value');
        value = next;
        i++;
      }
    }
    const list = values.get(spec.name) ?? [];
    list.push(value);
    values.set(spec.name, list);
  }
  return values;
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
  const raw = tokenizeArgs(argv);
  const flagName = (name: string): string => {
    const spec = findFlag(name);
    return raw.has(name) || !spec?.env ? `--${name}` : spec.env;
  };
  const str = (name: string): string | undefined => {
    const fromFlag = raw.get(name);
    if (fromFlag && fromFlag.length > 0) return fromFlag[fromFlag.length - 1];
    const spec = findFlag(name);
    const fromEnv = spec?.env ? env[spec.env] : undefined;
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = str(name);
    if (v === undefined) return fallback;
    if (/^(true|1|t|yes)$/i.test(v)) return true;
    if (/^(false|0|f|no)$/i.test(v)) return false;
    throw new ConfigError(flagName(name), `"${v}" is not a boolean`);
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = str(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw new ConfigError(flagName(name), `"${v}" is not an integer`);
    const n = Number.parseInt(v, 10);
    if (n < min || n > max) throw new ConfigError(flagName(name), `${n} is outside [${min}, ${max}]`);
    return n;
  };
  const seconds = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = str(name);
    if (v === undefined) return fallback;
    const n = Number(v.trim().replace(/s$/, ''));
    if (v.trim() === '' || !Number.isFinite(n))
      throw new ConfigError(flagName(name), `"${v}" is not a number of seconds`);
    if (n < min || n > max) throw new ConfigError(flagName(name), `${n} is outside [${min}, ${max}]`);
    return n;
  };
  const existingFile = (name: string): string | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    if (!host.fileExists(v)) throw new ConfigError(flagName(name), `file ${v} does not exist`);
    return v;
  };

  if (bool('help', false)) return { kind: 'help' };
  if (bool('version', false)) return { kind: 'version' };

  const provider = str('provider') ?? 'mock';
  if (provider !== 'mock')
    throw new ConfigError('--provider', `unknown provider "${provider}" (only "mock")`);

  const nodeName = str('nodename') ?? host.hostname.toLowerCase();
  if (!isDnsSubdomain(nodeName)) {
    throw new ConfigError(
      flagName('nodename'),
      `"${nodeName}" is not a valid node name (lower-case DNS subdomain)`,
    );
  }

  const kubeconfigPath = resolveKubeconfig(str('kubeconfig'), flagName('kubeconfig'), host);

  const podIp = str('pod-ip') ?? host.defaultPodIp();
  if (net.isIP(podIp) === 0) throw new ConfigError(flagName('pod-ip'), `"${podIp}" is not an IP address`);

  const kubeletAddress = str('kubelet-address') ?? '0.0.0.0';
  if (net.isIP(kubeletAddress) === 0) {
    throw new ConfigError('--kubelet-address', `"${kubeletAddress}" is not an IP address`);
  }

  const tlsCertPath = existingFile('tls-cert-file');
  const tlsKeyPath = existingFile('tls-private-key-file');
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    throw new ConfigError(
      tlsCertPath ? flagName('tls-private-key-file') : flagName('tls-cert-file'),
      'the serving certificate and key must be given together',
    );
  }

  const walltimeSeconds = int('walltime', 0, 0, Number.MAX_SAFE_INTEGER);
  const nodeType = str('nodetype') ?? '';
  const site = str('site') ?? '';
  if (!isLabelValue(nodeType))
    throw new ConfigError(flagName('nodetype'), `"${nodeType}" is not a valid label value`);
  if (!isLabelValue(site)) throw new ConfigError(flagName('site'), `"${site}" is not a valid label value`);

  const verbosity = int('klog.v', 0, -10, 10);
  const runner = parseRunnerEndpoint(str('runner') ?? defaultRunnerAddress(env, host), flagName('runner'));
  runner.caPath = existingFile('runner-ca');
  runner.certPath = existingFile('runner-cert');
  runner.keyPath = existingFile('runner-key');
  runner.tokenFile = existingFile('runner-token-file');
  runner.insecure = bool('runner-insecure', false);
  checkRunnerSecurity(runner);
  if ((runner.certPath === undefined) !== (runner.keyPath === undefined)) {
    throw new ConfigError('--runner-cert', 'the runner client certificate and key must be given together');
  }
  if (runner.transport === 'unix' && (runner.caPath || runner.certPath)) {
    throw new ConfigError('--runner-ca', 'TLS settings need a TCP runner address, not a unix socket');
  }

  const taints = bool('disable-taint', false)
    ? []
    : raw.has('taint')
      ? (raw.get('taint') ?? []).map(parseTaint)
      : [DEFAULT_TAINT];

  const nodeLabels: Record<string, string> = {};
  for (const item of (raw.get('node-labels') ?? []).flatMap((v) => v.split(','))) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq === -1 ? item.trim() : item.slice(0, eq).trim();
    const value = eq === -1 ? '' : item.slice(eq + 1).trim();
    if (!isQualifiedName(key)) throw new ConfigError('--node-labels', `"${key}" is not a valid label key`);
    if (!isLabelValue(value)) throw new ConfigError('--node-labels', `"${value}" is not a valid label value`);
    nodeLabels[key] = value;
  }

  const clientCaFile = existingFile('client-ca-file');
  const authorizationMode = str('authorization-mode') ?? 'Webhook';
  if (authorizationMode !== 'Webhook' && authorizationMode !== 'AlwaysAllow') {
    throw new ConfigError('--authorization-mode', `"${authorizationMode}" is not Webhook or AlwaysAllow`);
  }

  const leaseDurationSeconds = int('lease-duration', 40, 1, 3600);
  const leaseRenewIntervalSeconds = seconds('lease-renew-interval', 10, 0.1, 3600);
  if (leaseRenewIntervalSeconds >= leaseDurationSeconds) {
    throw new ConfigError('--lease-renew-interval', 'must be shorter than --lease-duration');
  }

  return {
    kind: 'run',
    config: {
      nodeName,
      kubeconfigPath,
      podIp,
      kubeletPort: int('kubelet-port', 10250, 0, 65535),
      kubeletAddress,
      tlsCertPath,
      tlsKeyPath,
      walltimeSeconds,
      nodeType,
      site,
      verbosity,
      runner,
      runnerUnreachableGraceSeconds: seconds('runner-unreachable-grace', 40, 0),
      taints,
      maxPods: int('max-pods', 1000, 1, 1_000_000),
      nodeLabels,
      clientCaFile,
      anonymousAuth: bool('anonymous-auth', false),
      authorizationMode,
      ignoreRestartPolicy: bool('ignore-restart-policy', false),
      nodeStatusUpdateFrequencySeconds: seconds('node-status-update-frequency', 60, 1, 60),
      leaseDurationSeconds,
      leaseRenewIntervalSeconds,
    },
  };
}

function resolveKubeconfig(value: string | undefined, setting: string, host: ConfigHost): string {
  if (value !== undefined) {
    // KUBECONFIG may be a path list; the first existing file is used, as kubectl reads the first for writes.
    const candidates = value.split(path.delimiter).filter((p) => p !== '');
    const found = candidates.find((p) => host.fileExists(p));
    if (!found) throw new ConfigError(setting, `kubeconfig file ${value} does not exist`);
    return found;
  }
  const fallback = path.join(host.homeDir, '.kube', 'config');
  if (host.fileExists(fallback)) return fallback;
  throw new ConfigError(
    '--kubeconfig/KUBECONFIG',
    `no kubeconfig (${fallback} does not exist): the kubelet needs API credentials to register the node and to authenticate and authorise API callers`,
  );
}

/** The runner's own default socket, so both processes agree without flags. */
export function defaultRunnerAddress(
  env: Readonly<Record<string, string | undefined>>,
  host: ConfigHost,
): string {
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  const dir = runtimeDir ? path.join(runtimeDir, 'vk-cmd') : path.join(host.homeDir, '.vk-cmd');
  return `unix://${path.join(dir, 'runner.sock')}`;
}

/** `unix:///path`, a bare absolute path, `host:port` or `tcp://host:port`. */
export function parseRunnerEndpoint(address: string, setting = '--runner'): RunnerEndpoint {
  if (address.startsWith('unix://') || address.startsWith('/')) {
    const socketPath = address.startsWith('unix://') ? address.slice('unix://'.length) : address;
    if (!socketPath.startsWith('/'))
      throw new ConfigError(setting, `unix socket path in "${address}" must be absolute`);
    return { target: `unix://${socketPath}`, transport: 'unix', insecure: false };
  }
  const hostPort = address.startsWith('tcp://') ? address.slice('tcp://'.length) : address;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d+)$/.exec(hostPort);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port < 65536)) {
    throw new ConfigError(setting, `"${address}" is not unix:///path, host:port or tcp://host:port`);
  }
  return { target: hostPort, transport: 'tcp', insecure: false };
}

/** `KEY[=VALUE]:EFFECT`, as kubectl taint and --register-with-taints spell it. */
export function parseTaint(text: string): NodeTaint {
  const match = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text.trim());
  if (!match || !match[1]) {
    throw new ConfigError(
      '--taint',
      `"${text}" is not KEY[=VALUE]:EFFECT with EFFECT NoSchedule, PreferNoSchedule or NoExecute`,
    );
  }
  const key = match[1];
  const value = match[2];
  if (!isQualifiedName(key)) throw new ConfigError('--taint', `"${key}" is not a valid taint key`);
  if (value !== undefined && !isLabelValue(value))
    throw new ConfigError('--taint', `"${value}" is not a valid taint value`);
  return value === undefined || value === ''
    ? { key, effect: match[3] as TaintEffect }
    : { key, value, effect: match[3] as TaintEffect };
}

/** Validates cross-setting rules that need the runner transport (TCP requires TLS unless insecure). */
export function checkRunnerSecurity(runner: RunnerEndpoint): void {
  if (runner.transport === 'tcp' && runner.insecure && (runner.caPath || runner.certPath)) {
    throw new ConfigError('--runner-insecure', 'cannot be combined with --runner-ca/--runner-cert');
  }
}
