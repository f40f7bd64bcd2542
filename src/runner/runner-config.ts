import path from 'node:path';
import { parseCommandLine } from '../common/flags/command-line.js';
import { FlagError } from '../common/flags/flag-error.js';
import { ConfigError } from '../common/errors.js';
import type { StderrPolicy } from './pods/container-status.js';
import { RUNNER_FLAGS } from './runner-flags.js';
import { parseListenAddress, type ListenAddress } from './server/listen-address.js';

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
): ParsedArgs {
  const parsed = readFlags(argv);
  if (parsed.kind !== 'run') return parsed;
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
  };
  if (config.backoffMaxMs < config.backoffInitialMs) {
    throw new ConfigError('--backoff-max-ms: must be at least --backoff-initial-ms');
  }
  validateTransport(config);
  return { kind: 'run', config };
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
