import { expect } from 'chai';
import { KubeconfigError, parseKubeconfig } from '../../../../src/kubelet/kube/kubeconfig.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const files: Record<string, string> = {
  '/etc/kube/ca.crt': 'CA FROM FILE',
  '/etc/kube/certs/admin.crt': 'CERT FROM FILE',
  '/etc/kube/certs/admin.key': 'KEY FROM FILE',
};
const readFile = (p: string): string => {
  const text = files[p];
  if (text === undefined) throw new Error('ENOENT');
  return text;
};

function kubeconfig(cluster: object, user: object, context: object = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', ...context } }],
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'u', user }],
  });
}

const parse = (text: string) => parseKubeconfig(text, '/etc/kube/config', readFile);

describe('parseKubeconfig', () => {
  it('reads inline data, trims the server URL and defaults the namespace', () => {
    const c = parse(
      kubeconfig(
        { server: 'https://10.0.0.1:6443/', 'certificate-authority-data': b64('CA') },
        { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
      ),
    );
    expect(c).to.deep.include({
      server: 'https://10.0.0.1:6443',
      caPem: 'CA',
      clientCertPem: 'CERT',
      clientKeyPem: 'KEY',
      insecureSkipTlsVerify: false,
      namespace: 'default',
      credentials: { kind: 'none' },
    });
  });

  it('resolves file references relative to the kubeconfig, as kubectl does', () => {
    const c = parse(
      kubeconfig(
        { server: 'https://a', 'certificate-authority': 'ca.crt', 'tls-server-name': 'kubernetes' },
        { 'client-certificate': 'certs/admin.crt', 'client-key': '/etc/kube/certs/admin.key' },
        { namespace: 'hpc' },
      ),
    );
    expect(c.caPem).to.equal('CA FROM FILE');
    expect(c.clientCertPem).to.equal('CERT FROM FILE');
    expect(c.clientKeyPem).to.equal('KEY FROM FILE');
    expect(c.tlsServerName).to.equal('kubernetes');
    expect(c.namespace).to.equal('hpc');
  });

  const credentialCases: Array<[string, object, object]> = [
    ['token', { token: 't0k' }, { kind: 'token', token: 't0k' }],
    ['tokenFile (relative)', { tokenFile: 'sa/token' }, { kind: 'token-file', path: '/etc/kube/sa/token' }],
    ['basic auth', { username: 'u', password: 'p' }, { kind: 'basic', username: 'u', password: 'p' }],
  ];
  for (const [name, user, expected] of credentialCases) {
    it(`credentials: ${name}`, () => {
      expect(parse(kubeconfig({ server: 'https://a' }, user)).credentials).to.deep.equal(expected);
    });
  }

  it('credentials: exec plugin with env and cluster info', () => {
    const c = parse(
      kubeconfig(
        { server: 'https://a', 'certificate-authority-data': b64('CA') },
        {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: './get-token',
            args: ['--audience', 'k8s'],
            env: [{ name: 'SITE', value: 'nersc' }],
            provideClusterInfo: true,
          },
        },
      ),
    );
    expect(c.credentials).to.deep.equal({
      kind: 'exec',
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: './get-token',
        args: ['--audience', 'k8s'],
        env: { SITE: 'nersc' },
        baseDir: '/etc/kube',
        clusterInfo: { server: 'https://a', 'certificate-authority-data': b64('CA') },
      },
    });
  });

  it('impersonation headers', () => {
    const c = parse(
      kubeconfig({ server: 'https://a' }, { token: 't', as: 'bob', 'as-groups': ['g1', 'g2'] }),
    );
    expect(c.impersonationHeaders).to.deep.equal({
      'Impersonate-User': 'bob',
      'Impersonate-Group': ['g1', 'g2'],
    });
  });

  it('reads YAML as well as JSON', () => {
    const text = [
      'apiVersion: v1',
      'current-context: c',
      'contexts: [{name: c, context: {cluster: k, user: u}}]',
      'clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: abc}}]',
    ].join('\n');
    const c = parse(text);
    expect(c.server).to.equal('http://127.0.0.1:8080');
    expect(c.insecureSkipTlsVerify).to.equal(true);
    expect(c.credentials).to.deep.equal({ kind: 'token', token: 'abc' });
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['not YAML', 'a: [', /not valid YAML/],
    ['a list', '[1, 2]', /expected a mapping/],
    ['no current context', JSON.stringify({ contexts: [] }), /current-context is not set/],
    [
      'an unknown context',
      JSON.stringify({ 'current-context': 'x', contexts: [] }),
      /context "x" is not defined/,
    ],
    ['no server', kubeconfig({}, {}), /server is not set/],
    ['a bad server', kubeconfig({ server: 'not a url' }, {}), /is not a URL/],
    ['a non-http server', kubeconfig({ server: 'ftp://a' }, {}), /must be http or https/],
    [
      'a proxy',
      kubeconfig({ server: 'https://a', 'proxy-url': 'socks5://p' }, {}),
      /proxy-url is not supported/,
    ],
    [
      'an auth provider',
      kubeconfig({ server: 'https://a' }, { 'auth-provider': { name: 'oidc' } }),
      /auth-provider/,
    ],
    [
      'a cert without key',
      kubeconfig({ server: 'https://a' }, { 'client-certificate-data': b64('C') }),
      /together/,
    ],
    [
      'a missing CA file',
      kubeconfig({ server: 'https://a', 'certificate-authority': 'nope' }, {}),
      /cannot read/,
    ],
    ['exec without command', kubeconfig({ server: 'https://a' }, { exec: { apiVersion: 'v1' } }), /command/],
    ['a non-string field', kubeconfig({ server: 7 }, {}), /server must be a string/],
  ];
  for (const [name, text, pattern] of refusals) {
    it(`refuses ${name}`, () => {
      expect(() => parse(text))
        .to.throw(KubeconfigError)
        .with.property('message')
        .that.matches(pattern);
    });
  }
});
