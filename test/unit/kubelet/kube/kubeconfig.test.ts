import { expect } from 'chai';
import {
  clientNodeNeeds,
  KubeconfigError,
  parseKubeconfig,
} from '../../../../src/kubelet/kube/kubeconfig.js';

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
      'a proxy client-node cannot use',
      kubeconfig({ server: 'https://a', 'proxy-url': 'ftp://p' }, {}),
      /proxy-url: ftp: proxies are not supported/,
    ],
    [
      'an auth provider client-node does not implement',
      kubeconfig({ server: 'https://a' }, { 'auth-provider': { name: 'openstack' } }),
      /auth-provider "openstack" is not supported \(oidc, gcp, azure are\)/,
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

describe('clientNodeNeeds: which kubeconfigs load @kubernetes/client-node', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, object | undefined]> = [
    ['a client certificate', { server: 'https://a' }, { 'client-certificate-data': 'x' }, undefined],
    ['a token', { server: 'https://a' }, { token: 't' }, undefined],
    ['an exec plugin', { server: 'https://a' }, { exec: { command: 'x' } }, undefined],
    ['an empty proxy-url', { server: 'https://a', 'proxy-url': '' }, {}, undefined],
    [
      'OIDC',
      { server: 'https://a' },
      { 'auth-provider': { name: 'oidc', config: { 'id-token': 'j' } } },
      { authProvider: 'oidc', proxyUrl: undefined },
    ],
    [
      'gcp',
      { server: 'https://a' },
      { 'auth-provider': { name: 'gcp' } },
      { authProvider: 'gcp', proxyUrl: undefined },
    ],
    [
      'azure',
      { server: 'https://a' },
      { 'auth-provider': { name: 'azure' } },
      { authProvider: 'azure', proxyUrl: undefined },
    ],
    [
      'an HTTP proxy',
      { server: 'https://a', 'proxy-url': 'http://proxy:3128' },
      { token: 't' },
      { authProvider: undefined, proxyUrl: 'http://proxy:3128' },
    ],
    [
      'a SOCKS proxy',
      { server: 'https://a', 'proxy-url': 'socks5://127.0.0.1:1080' },
      {},
      { authProvider: undefined, proxyUrl: 'socks5://127.0.0.1:1080' },
    ],
    [
      'both',
      { server: 'https://a', 'proxy-url': 'https://proxy' },
      { 'auth-provider': { name: 'oidc' } },
      { authProvider: 'oidc', proxyUrl: 'https://proxy' },
    ],
  ];
  for (const [name, cluster, user, expected] of cases) {
    it(name, () => {
      expect(clientNodeNeeds(cluster, user)).to.deep.equal(expected);
    });
  }

  const refusals: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
    ['a proxy that is no URL', { 'proxy-url': '127.0.0.1:3128' }, {}, /proxy-url is not a URL/],
    ['an ftp proxy', { 'proxy-url': 'ftp://p' }, {}, /ftp: proxies are not supported/],
    ['a nameless auth-provider', {}, { 'auth-provider': { config: {} } }, /auth-provider.name is not set/],
    ['an auth-provider that is a string', {}, { 'auth-provider': 'oidc' }, /must be a mapping/],
    [
      'an unknown auth-provider',
      {},
      { 'auth-provider': { name: 'keystone' } },
      /"keystone" is not supported/,
    ],
  ];
  for (const [name, cluster, user, pattern] of refusals) {
    it(`refuses ${name}`, () => {
      expect(() => clientNodeNeeds(cluster, user))
        .to.throw(KubeconfigError)
        .with.property('message')
        .that.matches(pattern);
    });
  }

  it('parseKubeconfig hands client-node the kubeconfig, its path and the context in use', () => {
    const text = kubeconfig({ server: 'https://a', 'proxy-url': 'http://p:3128' }, { token: 't' });
    const c = parse(text);
    expect(c.clientNode).to.deep.equal({
      authProvider: undefined,
      proxyUrl: 'http://p:3128',
      kubeconfigText: text,
      filePath: '/etc/kube/config',
      contextName: 'c',
    });
    expect(c.credentials).to.deep.equal({ kind: 'token', token: 't' });
    expect(parse(kubeconfig({ server: 'https://a' }, { token: 't' })).clientNode).to.equal(undefined);
  });
});
