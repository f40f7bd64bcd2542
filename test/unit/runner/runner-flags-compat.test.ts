import { expect } from 'chai';
import { parseRunnerArgs, type RunnerConfig } from '../../../src/runner/runner-config.js';

/**
 * Every runner flag the README, docs/operations.md and the deploy scripts use,
 * in the spellings they use, parses to the configuration the runner has
 * always built from it. Each case states the whole configuration: the
 * defaults below plus its own fields.
 */
const env = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' };

const DEFAULTS: RunnerConfig = {
  listen: { kind: 'unix', path: '/run/user/1000/vk-cmd/runner.sock', isDefault: true },
  rootDir: '/home/u',
  stateDir: '/home/u/.vk-cmd',
  stderrPolicy: 'fail',
  keepPodDirs: false,
  verbosity: 0,
  tlsCertFile: undefined,
  tlsKeyFile: undefined,
  clientCaFile: undefined,
  tokenFile: undefined,
  insecure: false,
  backoffInitialMs: 10_000,
  backoffMaxMs: 300_000,
  shutdownTimeoutMs: 5_000,
  startLimits: { total: 16, perPod: 4 },
  cgroups: 'auto',
  cgroupParent: undefined,
};

const TCP = { kind: 'tcp' as const, host: '0.0.0.0', port: 50051 };

const cases: Array<{ argv: string[]; env?: typeof env | { HOME: string }; want: Partial<RunnerConfig> }> = [
  { argv: [], want: {} },
  {
    argv: [],
    env: { HOME: '/home/u' },
    want: { listen: { kind: 'unix', path: '/home/u/.vk-cmd/runner.sock', isDefault: true } },
  },
  { argv: ['--listen', 'unix://'], want: {} },
  {
    argv: ['--listen', 'unix:///tmp/x/r.sock'],
    want: { listen: { kind: 'unix', path: '/tmp/x/r.sock', isDefault: false } },
  },
  {
    argv: ['--listen=unix:///tmp/x/r.sock'],
    want: { listen: { kind: 'unix', path: '/tmp/x/r.sock', isDefault: false } },
  },
  // deploy/base and docs/operations.md: a TCP runner with TLS, client CA and token.
  {
    argv: [
      '--listen',
      'tcp://0.0.0.0:50051',
      '--tls-cert',
      'tls.crt',
      '--tls-key',
      'tls.key',
      '--client-ca',
      'ca.crt',
      '--token-file',
      'token',
    ],
    want: {
      listen: TCP,
      tlsCertFile: 'tls.crt',
      tlsKeyFile: 'tls.key',
      clientCaFile: 'ca.crt',
      tokenFile: 'token',
    },
  },
  {
    argv: ['--listen=tcp://0.0.0.0:50051', '--tls-cert=c', '--tls-key=k', '--token-file=t'],
    want: { listen: TCP, tlsCertFile: 'c', tlsKeyFile: 'k', tokenFile: 't' },
  },
  { argv: ['--listen', 'tcp://0.0.0.0:50051', '--insecure'], want: { listen: TCP, insecure: true } },
  { argv: ['--listen', 'tcp://0.0.0.0:50051', '--insecure=true'], want: { listen: TCP, insecure: true } },
  { argv: ['--insecure=false'], want: {} },
  { argv: ['--root-dir', '/scratch/me'], want: { rootDir: '/scratch/me', stateDir: '/scratch/me/.vk-cmd' } },
  { argv: ['--root-dir=/data/'], want: { rootDir: '/data', stateDir: '/data/.vk-cmd' } },
  { argv: ['--state-dir', '/s'], want: { stateDir: '/s' } },
  { argv: ['--root-dir', '/r', '--state-dir=/s'], want: { rootDir: '/r', stateDir: '/s' } },
  { argv: ['--stderr-policy', 'ignore'], want: { stderrPolicy: 'ignore' } },
  { argv: ['--stderr-policy=fail'], want: {} },
  { argv: ['--keep-pod-dirs'], want: { keepPodDirs: true } },
  { argv: ['--keep-pod-dirs=1'], want: { keepPodDirs: true } },
  { argv: ['--keep-pod-dirs', '--keep-pod-dirs=0'], want: { keepPodDirs: false } },
  { argv: ['-v', '4'], want: { verbosity: 4 } },
  { argv: ['-v=4'], want: { verbosity: 4 } },
  { argv: ['--v', '3'], want: { verbosity: 3 } },
  { argv: ['--v=2'], want: { verbosity: 2 } },
  { argv: ['--v', '-1'], want: { verbosity: -1 } },
  { argv: ['--shutdown-timeout-ms', '100'], want: { shutdownTimeoutMs: 100 } },
  { argv: ['--shutdown-timeout-ms=0'], want: { shutdownTimeoutMs: 0 } },
  {
    argv: ['--max-starts-in-flight', '32', '--max-pod-starts-in-flight=2'],
    want: { startLimits: { total: 32, perPod: 2 } },
  },
  {
    argv: ['--backoff-initial-ms', '100', '--backoff-max-ms=400'],
    want: { backoffInitialMs: 100, backoffMaxMs: 400 },
  },
  { argv: ['--root-dir', '/a', '--root-dir', '/b'], want: { rootDir: '/b', stateDir: '/b/.vk-cmd' } },
  // Go's spellings, which the kubelet has always taken, work for the runner too.
  { argv: ['-root-dir', '/r', '-state-dir=/s'], want: { rootDir: '/r', stateDir: '/s' } },
  { argv: ['-keep-pod-dirs', '-stderr-policy=ignore'], want: { keepPodDirs: true, stderrPolicy: 'ignore' } },
  { argv: ['--keep-pod-dirs=yes'], want: { keepPodDirs: true } },
];

describe('runner flags parse as they always did', () => {
  for (const c of cases) {
    it(`${JSON.stringify(c.argv)}${c.env ? ` ${JSON.stringify(c.env)}` : ''}`, () => {
      const parsed = parseRunnerArgs(c.argv, c.env ?? env);
      if (parsed.kind !== 'run') throw new Error(parsed.kind);
      expect(parsed.config).to.deep.equal({ ...DEFAULTS, ...c.want });
    });
  }

  const modes: Array<[string[], string]> = [
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['--version'], 'version'],
    [['--root-dir', '/r', '--help'], 'help'],
    [['--version', '--help'], 'help'],
    [['-help'], 'help'],
    [['--h'], 'help'],
    [['-version'], 'version'],
  ];
  for (const [argv, kind] of modes) {
    it(`${JSON.stringify(argv)} asks for ${kind}`, () => {
      expect(parseRunnerArgs(argv, env).kind).to.equal(kind);
    });
  }
});
