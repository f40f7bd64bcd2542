import path from 'node:path';
import { ConfigError } from '../common/errors.js';
import type { StderrPolicy } from './pods/container-status.js';
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

export const USAGE = `Usage: vk-cmd-runner [flags]

Runs pods as process groups on this host and serves the vkcmd.runner.v1.Runner
gRPC API (plus grpc.health.v1.Health and server reflection).

Flags:
  --listen ADDR            unix:// (default: a socket in a 0700 directory under
                           $XDG_RUNTIME_DIR/vk-cmd/ or $HOME/.vk-cmd/),
                           unix:///abs/path.sock, or tcp://HOST:PORT
  --tls-cert FILE          server certificate (PEM), required for tcp://
  --tls-key FILE           server private key (PEM), required for tcp://
  --client-ca FILE         CA bundle; clients must present a certificate it signed
  --token-file FILE        bearer token (mode 0600 or stricter); clients send
                           "authorization: Bearer <token>"
  --insecure               allow tcp:// without TLS or client credential
                           (any local user can then run code as you)
  --root-dir DIR           pod directories live in DIR/<namespace>/<pod> (default $HOME)
  --state-dir DIR          runner state (default <root-dir>/.vk-cmd)
  --stderr-policy P        fail (default): exit 0 with a non-empty stderr file is
                           reported as stderrNotEmpty, exit code 3; ignore: it is not
  --keep-pod-dirs          keep pod directories after the pod is deleted
  -v, --v N                log verbosity (0-1 info, 2-3 debug, 4+ trace)
  --shutdown-timeout-ms N  graceful shutdown budget (default 5000)
  --backoff-initial-ms N   first restart back-off (default 10000; for testing)
  --backoff-max-ms N       restart back-off cap (default 300000; for testing)
  -h, --help               show this help
  --version                print the version
`;

type FlagKind = 'string' | 'bool' | 'int';
const FLAGS: Record<string, FlagKind> = {
  listen: 'string',
  'tls-cert': 'string',
  'tls-key': 'string',
  'client-ca': 'string',
  'token-file': 'string',
  insecure: 'bool',
  'root-dir': 'string',
  'state-dir': 'string',
  'stderr-policy': 'string',
  'keep-pod-dirs': 'bool',
  v: 'int',
  'shutdown-timeout-ms': 'int',
  'backoff-initial-ms': 'int',
  'backoff-max-ms': 'int',
  help: 'bool',
  version: 'bool',
};

function parseBool(flag: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`--${flag}: expected true or false, got "${value}"`);
}

function parseInt(flag: string, value: string, min: number): number {
  if (!/^-?\d+$/.test(value)) throw new ConfigError(`--${flag}: expected an integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigError(`--${flag}: must be an integer >= ${min}`);
  return n;
}

/**
 * Parses the command line into a config. Pure: the environment is passed in.
 * Accepts `--flag value`, `--flag=value`, `-v N` and `-h`. Throws ConfigError
 * whose message names the offending flag.
 */
export function parseRunnerArgs(
  argv: readonly string[],
  env: { HOME?: string | undefined; XDG_RUNTIME_DIR?: string | undefined },
): ParsedArgs {
  const values = new Map<string, string | boolean | number>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      values.set('help', true);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (arg === '-v' || arg.startsWith('-v=')) {
      name = 'v';
      inline = arg.startsWith('-v=') ? arg.slice(3) : undefined;
    } else {
      throw new ConfigError(`unexpected argument "${arg}"; flags start with --`);
    }
    const kind = FLAGS[name];
    if (!kind) throw new ConfigError(`unknown flag --${name}; see --help`);
    if (kind === 'bool') {
      values.set(name, inline === undefined ? true : parseBool(name, inline));
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) throw new ConfigError(`--${name}: missing value`);
      i++;
    }
    values.set(name, kind === 'int' ? parseInt(name, value, name === 'v' ? -10 : 0) : value);
  }
  if (values.get('help') === true) return { kind: 'help' };
  if (values.get('version') === true) return { kind: 'version' };

  const str = (name: string): string | undefined => {
    const v = values.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new ConfigError(`--${name}: must not be empty`);
    return v;
  };
  const num = (name: string, fallback: number): number => {
    const v = values.get(name);
    return typeof v === 'number' ? v : fallback;
  };

  const listen = parseListenAddress(str('listen') ?? 'unix://', env);
  const rootRaw = str('root-dir') ?? env.HOME;
  if (!rootRaw) throw new ConfigError('--root-dir: not given and $HOME is not set');
  const rootDir = path.resolve(rootRaw);
  const stateDir = path.resolve(str('state-dir') ?? path.join(rootDir, '.vk-cmd'));
  const policy = str('stderr-policy') ?? 'fail';
  if (policy !== 'fail' && policy !== 'ignore') {
    throw new ConfigError(`--stderr-policy: expected fail or ignore, got "${policy}"`);
  }
  const config: RunnerConfig = {
    listen,
    rootDir,
    stateDir,
    stderrPolicy: policy,
    keepPodDirs: values.get('keep-pod-dirs') === true,
    verbosity: num('v', 0),
    tlsCertFile: str('tls-cert'),
    tlsKeyFile: str('tls-key'),
    clientCaFile: str('client-ca'),
    tokenFile: str('token-file'),
    insecure: values.get('insecure') === true,
    backoffInitialMs: num('backoff-initial-ms', 10_000),
    backoffMaxMs: num('backoff-max-ms', 300_000),
    shutdownTimeoutMs: num('shutdown-timeout-ms', 5_000),
  };
  if (config.backoffInitialMs < 1) throw new ConfigError('--backoff-initial-ms: must be at least 1');
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
