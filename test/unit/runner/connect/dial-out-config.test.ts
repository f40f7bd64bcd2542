import { expect } from 'chai';
import { parseRunnerArgs, type RunnerConfig } from '../../../../src/runner/runner-config.js';

const env = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' };
const host = { hostname: 'NID001234' };
const run = (argv: string[]): RunnerConfig => {
  const parsed = parseRunnerArgs(argv, env, host);
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  return parsed.config;
};
const URL = 'https://kubelet.example.org:10255';

describe('runner flags: --connect (dial-out mode)', () => {
  it('dials with a token; the node name defaults to the host name in lower case; nothing is listened on', () => {
    const c = run(['--connect', URL, '--token-file', 't']);
    expect(c.connect).to.deep.equal({
      target: { url: URL, host: 'kubelet.example.org', port: 10255 },
      nodeName: 'nid001234',
      caFile: undefined,
      alsoListen: false,
    });
    expect(c.tokenFile).to.equal('t');
  });

  it('takes --node-name, --connect-ca and a client certificate', () => {
    const c = run([
      '--connect',
      URL,
      '--connect-ca',
      'ca.pem',
      '--node-name',
      'vk-4242-0',
      '--tls-cert',
      'c',
      '--tls-key',
      'k',
    ]);
    expect(c.connect?.nodeName).to.equal('vk-4242-0');
    expect(c.connect?.caFile).to.equal('ca.pem');
    expect([c.tlsCertFile, c.tlsKeyFile]).to.deep.equal(['c', 'k']);
  });

  it('also listens on a unix socket when --listen is given', () => {
    const c = run(['--connect', URL, '--token-file', 't', '--listen', 'unix:///tmp/x/r.sock']);
    expect(c.connect?.alsoListen).to.equal(true);
    expect(c.listen).to.deep.equal({ kind: 'unix', path: '/tmp/x/r.sock', isDefault: false });
  });

  it('is absent from the configuration without --connect', () => {
    expect(run([])).to.not.have.property('connect');
  });

  const refused: Array<[string[], string]> = [
    [['--connect', URL], '--connect: needs a credential for the kubelet'],
    [['--connect', URL, '--tls-cert', 'c'], '--tls-cert and --tls-key: with --connect give both'],
    [['--connect', URL, '--token-file', 't', '--client-ca', 'ca'], '--client-ca: not used with --connect'],
    [['--connect', URL, '--token-file', 't', '--insecure'], '--insecure: --connect always uses TLS'],
    [
      ['--connect', URL, '--token-file', 't', '--listen', 'tcp://0.0.0.0:1'],
      'with --connect only a unix:// socket',
    ],
    [
      ['--connect', URL, '--token-file', 't', '--node-name', 'Bad_Name'],
      '--node-name: "Bad_Name" is not a valid node name',
    ],
    [['--connect', 'http://k:1', '--token-file', 't'], 'the kubelet is dialled over TLS'],
    [['--node-name', 'vk-1'], '--node-name: only valid with --connect'],
    [['--connect-ca', 'ca'], '--connect-ca: only valid with --connect'],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')}`, () => expect(() => parseRunnerArgs(argv, env, host)).to.throw(message));
  }

  it('refuses a host name that is no node name, asking for --node-name', () => {
    expect(() =>
      parseRunnerArgs(['--connect', URL, '--token-file', 't'], env, { hostname: 'under_score' }),
    ).to.throw('pass --node-name');
  });
});
