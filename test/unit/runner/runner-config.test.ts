import { expect } from 'chai';
import { ConfigError } from '../../../src/common/errors.js';
import { parseListenAddress } from '../../../src/runner/server/listen-address.js';
import { parseRunnerArgs, type RunnerConfig } from '../../../src/runner/runner-config.js';

const env = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' };

function run(args: string[], e: typeof env | { HOME: string } = env): RunnerConfig {
  const parsed = parseRunnerArgs(args, e);
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  return parsed.config;
}

describe('runner-config', () => {
  it('defaults', () => {
    const c = run([]);
    expect(c.listen).to.deep.equal({
      kind: 'unix',
      path: '/run/user/1000/vk-cmd/runner.sock',
      isDefault: true,
    });
    expect(c.rootDir).to.equal('/home/u');
    expect(c.stateDir).to.equal('/home/u/.vk-cmd');
    expect(c.stderrPolicy).to.equal('fail');
    expect(c.keepPodDirs).to.equal(false);
    expect(c.verbosity).to.equal(0);
    expect([c.backoffInitialMs, c.backoffMaxMs]).to.deep.equal([10_000, 300_000]);
  });

  it('without XDG_RUNTIME_DIR the socket lives under $HOME/.vk-cmd', () => {
    expect(run([], { HOME: '/home/u' }).listen).to.deep.include({ path: '/home/u/.vk-cmd/runner.sock' });
  });

  it('parses every flag form', () => {
    const c = run([
      '--listen=unix:///tmp/x/r.sock',
      '--root-dir',
      '/data',
      '--stderr-policy=ignore',
      '--keep-pod-dirs',
      '-v',
      '4',
      '--backoff-initial-ms',
      '100',
      '--backoff-max-ms=400',
    ]);
    expect(c.listen).to.deep.equal({ kind: 'unix', path: '/tmp/x/r.sock', isDefault: false });
    expect([
      c.rootDir,
      c.stateDir,
      c.stderrPolicy,
      c.keepPodDirs,
      c.verbosity,
      c.backoffInitialMs,
      c.backoffMaxMs,
    ]).to.deep.equal(['/data', '/data/.vk-cmd', 'ignore', true, 4, 100, 400]);
    expect(run(['--v=2']).verbosity).to.equal(2);
    expect(run(['--state-dir', '/s']).stateDir).to.equal('/s');
  });

  it('help and version', () => {
    expect(parseRunnerArgs(['--help'], env).kind).to.equal('help');
    expect(parseRunnerArgs(['-h'], env).kind).to.equal('help');
    expect(parseRunnerArgs(['--version'], env).kind).to.equal('version');
  });

  const tcpOk: Array<[string, string[]]> = [
    ['mTLS', ['--listen', 'tcp://0.0.0.0:7443', '--tls-cert', 'c', '--tls-key', 'k', '--client-ca', 'ca']],
    ['token', ['--listen', 'tcp://127.0.0.1:7443', '--tls-cert', 'c', '--tls-key', 'k', '--token-file', 't']],
    ['insecure', ['--listen', 'tcp://127.0.0.1:7443', '--insecure']],
    ['ipv6', ['--listen', 'tcp://[::1]:7443', '--insecure']],
  ];
  for (const [what, args] of tcpOk)
    it(`accepts tcp with ${what}`, () => expect(run(args).listen.kind).to.equal('tcp'));

  const bad: Array<[string, string[], string]> = [
    ['unknown flag', ['--bogus'], 'unknown flag --bogus'],
    ['missing value', ['--root-dir'], '--root-dir: missing value'],
    ['bad policy', ['--stderr-policy', 'maybe'], '--stderr-policy: expected fail or ignore'],
    ['bad verbosity', ['-v', 'x'], '--v: expected an integer'],
    [
      'relative socket',
      ['--listen', 'unix://rel.sock'],
      '--listen unix://rel.sock: the socket path must be absolute',
    ],
    ['bad scheme', ['--listen', 'http://x:1'], '--listen http://x:1: expected'],
    ['bad port', ['--listen', 'tcp://h:70000'], '--listen tcp://h:70000: port must be 1-65535'],
    ['tcp without tls', ['--listen', 'tcp://h:1'], '--tls-cert: required with --listen tcp://'],
    [
      'tcp without client credential',
      ['--listen', 'tcp://h:1', '--tls-cert', 'c', '--tls-key', 'k'],
      '--client-ca or --token-file',
    ],
    ['tls on unix', ['--tls-cert', 'c'], '--tls-cert: only valid with --listen tcp://'],
    ['insecure on unix', ['--insecure'], '--insecure: only valid with --listen tcp://'],
    ['positional', ['serve'], 'unexpected argument "serve"'],
    [
      'max below initial',
      ['--backoff-initial-ms', '500', '--backoff-max-ms', '100'],
      '--backoff-max-ms: must be at least --backoff-initial-ms',
    ],
    ['empty value', ['--root-dir='], '--root-dir: must not be empty'],
    ['long socket path', ['--listen', `unix:///${'x'.repeat(120)}.sock`], 'longer than 107 bytes'],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what}, naming the flag`, () =>
      expect(() => parseRunnerArgs(args, env)).to.throw(ConfigError, message));
  }

  it('parseListenAddress: explicit unix path is normalised', () => {
    expect(parseListenAddress('unix:///a//b/../c.sock', env)).to.deep.equal({
      kind: 'unix',
      path: '/a/c.sock',
      isDefault: false,
    });
  });
});
