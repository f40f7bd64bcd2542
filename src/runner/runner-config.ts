import type { StartLimits } from './pods/start-queue.js';
import os from 'node:os';
import path from 'node:path';
import { parseCommandLine } from '../common/flags/command-line.js';
import { FlagError } from '../common/flags/flag-error.js';
import { ConfigError } from '../common/errors.js';
import type { CgroupsSetting } from './host/cgroups-detect.js';
import type { StderrPolicy } from './pods/container-status.js';
import { isNodeName } from '../common/node-name.js';
import { parseConnectTarget, type ConnectTarget } from './connect/connect-target.js';
import { RUNNER_FLAGS } from './runner-flags.js';
import { parseListenAddress, type ListenAddress } from './server/listen-address.js';

/**
 * Dial-out mode (--connect): the runner dials the kubelet and serves it over
 * that connection. tlsCertFile/tlsKeyFile/tokenFile of the RunnerConfig are
 * then what the runner presents, not what it asks of clients.
 */
export interface DialOutConfig {
  target: ConnectTarget;
  /** The node the runner asks to serve (--node-name, default the host name). */
  nodeName: string;
  /** --connect-ca; the system roots when undefined. */
  caFile: string | undefined;
  /** Whether the runner also serves `listen` (a unix socket), which it does only when --listen was given. */
  alsoListen: boolean;
  /** --delete-node-on-exit: on stop, ask the kubelet to delete the node (POST DIAL_IN_LEAVE_PATH). */
  deleteNodeOnExit: boolean;
}

/** Everything the runner needs from its command line, resolved and checked. */
export interface RunnerConfig {
  listen: ListenAddress;
  rootDir: string;
  stateDir: string;
  stderrPolicy: StderrPolicy;
  keepPodDirs: boolean;
  verbosity: number;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  clientCaFile: string | undefined;
  tokenFile: string | undefined;
  insecure: boolean;
  /** First restart back-off; 10 s as in Kubernetes. Lower only for tests. */
  backoffInitialMs: number;
  /** Back-off cap; 5 min as in Kubernetes. Lower only for tests. */
  backoffMaxMs: number;
  /** How long a graceful shutdown waits for open calls before forcing. */
  shutdownTimeoutMs: number;
  /** The start queue's bounds (pods/start-queue.ts). */
  startLimits: StartLimits;
  /** Present only with --connect. */
  connect?: DialOutConfig;
  /** Which cgroups hold containers with limits (host/cgroups-detect.ts). */
  cgroups: CgroupsSetting;
  /** A cgroup path to create containers' cgroups under instead of the runner's own. */
  cgroupParent: string | undefined;
}

export type ParsedArgs = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; config: RunnerConfig };

/** The flags of a command line, or help or version; flag errors become ConfigErrors. */
function readFlags(argv: readonly string[]) {
  try {
    return parseCommandLine(RUNNER_FLAGS, argv, {});
  } catch (err) {
    if (err instanceof FlagError) throw new ConfigError(err.message);
    throw err;
  }
}

/**
 * Parses the command line into a config. Pure: the environment is passed in
 * (the runner reads no variables of its own; HOME and XDG_RUNTIME_DIR give
 * defaults). Throws ConfigError whose message names the offending flag.
 */
export function parseRunnerArgs(
  argv: readonly string[],
  env: { HOME?: string | undefined; XDG_RUNTIME_DIR?: string | undefined },
  host: { hostname: string } = { hostname: os.hostname() },
): ParsedArgs {
  const parsed = readFlags(argv);
  if (parsed.kind !== 'run') return parsed;
  const { given } = parsed.flags;
  const v = parsed.flags.values;

  const listen = parseListenAddress(v.listen, env);
  const rootRaw = v['root-dir'] ?? env.HOME;
  if (!rootRaw) throw new ConfigError('--root-dir: not given and $HOME is not set');
  const rootDir = path.resolve(rootRaw);
  const stateDir = path.resolve(v['state-dir'] ?? path.join(rootDir, '.vk-cmd'));
  const config: RunnerConfig = {
    listen,
    rootDir,
    stateDir,
    stderrPolicy: v['stderr-policy'],
    keepPodDirs: v['keep-pod-dirs'],
    verbosity: v.v,
    tlsCertFile: v['tls-cert'],
    tlsKeyFile: v['tls-key'],
    clientCaFile: v['client-ca'],
    tokenFile: v['token-file'],
    insecure: v.insecure,
    backoffInitialMs: v['backoff-initial-ms'],
    backoffMaxMs: v['backoff-max-ms'],
    shutdownTimeoutMs: v['shutdown-timeout-ms'],
    startLimits: { total: v['max-starts-in-flight'], perPod: v['max-pod-starts-in-flight'] },
    cgroups: v.cgroups,
    cgroupParent: v['cgroup-parent'],
  };
  if (config.backoffMaxMs < config.backoffInitialMs) {
    throw new ConfigError('--backoff-max-ms: must be at least --backoff-initial-ms');
  }
  if (v.connect !== undefined) {
    config.connect = {
      target: parseConnectTarget(v.connect),
      nodeName: v['node-name'] ?? hostNodeName(host.hostname),
      caFile: v['connect-ca'],
      alsoListen: given('listen'),
      deleteNodeOnExit: v['delete-node-on-exit'],
    };
    validateDialOut(config, config.connect);
  } else {
    for (const flag of ['connect-ca', 'node-name', 'delete-node-on-exit'] as const) {
      if (given(flag)) throw new ConfigError(`--${flag}: only valid with --connect`);
    }
    validateTransport(config);
  }
  return { kind: 'run', config };
}

/** The host name as a node name, or a message asking for --node-name. */
function hostNodeName(hostname: string): string {
  const name = hostname.toLowerCase();
  if (!isNodeName(name)) {
    throw new ConfigError(
      `--node-name: the host name "${hostname}" is not a valid node name; pass --node-name`,
    );
  }
  return name;
}

/** --connect: a credential to present, a listener only on a unix socket, no server-side TLS flags. */
function validateDialOut(config: RunnerConfig, dial: DialOutConfig): void {
  if (dial.alsoListen && config.listen.kind !== 'unix') {
    throw new ConfigError(
      '--listen: with --connect only a unix:// socket can be served too; --tls-cert, --tls-key and --token-file then name what the runner presents to the kubelet',
    );
  }
  if (config.clientCaFile !== undefined) {
    throw new ConfigError('--client-ca: not used with --connect (the kubelet is verified with --connect-ca)');
  }
  if (config.insecure) throw new ConfigError('--insecure: --connect always uses TLS');
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key: with --connect give both (mTLS) or neither');
  }
  if (config.tokenFile === undefined && config.tlsCertFile === undefined) {
    throw new ConfigError(
      '--connect: needs a credential for the kubelet: --token-file, or --tls-cert and --tls-key (client certificate)',
    );
  }
}

function validateTransport(config: RunnerConfig): void {
  const tlsGiven = config.tlsCertFile !== undefined || config.tlsKeyFile !== undefined;
  if (config.listen.kind === 'unix') {
    for (const flag of ['tls-cert', 'tls-key', 'client-ca'] as const) {
      const set = {
        'tls-cert': config.tlsCertFile,
        'tls-key': config.tlsKeyFile,
        'client-ca': config.clientCaFile,
      }[flag];
      if (set !== undefined) throw new ConfigError(`--${flag}: only valid with --listen tcp://`);
    }
    if (config.insecure) throw new ConfigError('--insecure: only valid with --listen tcp://');
    return;
  }
  if (config.insecure) {
    if (tlsGiven || config.clientCaFile) {
      throw new ConfigError('--insecure: cannot be combined with --tls-cert, --tls-key or --client-ca');
    }
    return;
  }
  if (!config.tlsCertFile)
    throw new ConfigError('--tls-cert: required with --listen tcp:// (or pass --insecure)');
  if (!config.tlsKeyFile)
    throw new ConfigError('--tls-key: required with --listen tcp:// (or pass --insecure)');
  if (!config.clientCaFile && !config.tokenFile) {
    throw new ConfigError(
      '--client-ca or --token-file: a tcp:// listener needs a client credential; anyone who reaches the runner can run code as you',
    );
  }
}
