import { expect } from 'chai';
import {
  credentialSource,
  parseExecCredential,
  TOKEN_FILE_CACHE_MS,
  type CredentialDeps,
} from '../../../../src/kubelet/kube/kube-credentials.js';
import type { ExecPluginConfig } from '../../../../src/kubelet/kube/kubeconfig.js';

function fakeDeps(): CredentialDeps & {
  clockMs: number;
  reads: number;
  runs: Array<{ command: string; env: NodeJS.ProcessEnv }>;
  fileText: string;
  pluginOut: string;
} {
  const deps = {
    clockMs: 1_000_000,
    reads: 0,
    runs: [] as Array<{ command: string; env: NodeJS.ProcessEnv }>,
    fileText: 'tok-1\n',
    pluginOut: '',
    env: { PATH: '/bin' },
    nowMs: () => deps.clockMs,
    readTextFile: () => {
      deps.reads++;
      return Promise.resolve(deps.fileText);
    },
    runPlugin: (command: string, _args: string[], env: NodeJS.ProcessEnv) => {
      deps.runs.push({ command, env });
      return Promise.resolve(deps.pluginOut);
    },
  };
  return deps;
}

const exec: ExecPluginConfig = {
  apiVersion: 'client.authentication.k8s.io/v1',
  command: './plugin',
  args: [],
  env: { SITE: 'x' },
  baseDir: '/etc/kube',
  clusterInfo: { server: 'https://a' },
};

describe('credentialSource', () => {
  it('static token and basic auth', async () => {
    expect((await credentialSource({ kind: 'token', token: 't' }).get()).authorization).to.equal('Bearer t');
    expect(
      (await credentialSource({ kind: 'basic', username: 'u', password: 'p' }).get()).authorization,
    ).to.equal(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect((await credentialSource({ kind: 'none' }).get()).authorization).to.equal(undefined);
  });

  it('re-reads a token file once a minute, and at once after invalidate', async () => {
    const deps = fakeDeps();
    const source = credentialSource({ kind: 'token-file', path: '/t' }, deps);
    expect((await source.get()).authorization).to.equal('Bearer tok-1');
    deps.fileText = 'tok-2';
    expect((await source.get()).authorization).to.equal('Bearer tok-1');
    deps.clockMs += TOKEN_FILE_CACHE_MS;
    expect((await source.get()).authorization).to.equal('Bearer tok-2');
    deps.fileText = 'tok-3';
    source.invalidate();
    expect((await source.get()).authorization).to.equal('Bearer tok-3');
    expect(deps.reads).to.equal(3);
  });

  it('an empty token file is an error', async () => {
    const deps = fakeDeps();
    deps.fileText = '\n';
    const source = credentialSource({ kind: 'token-file', path: '/t' }, deps);
    let err: Error | undefined;
    await source.get().catch((e: Error) => (err = e));
    expect(err?.message).to.match(/token file \/t is empty/);
  });

  it('runs an exec plugin once for concurrent callers and caches until shortly before expiry', async () => {
    const deps = fakeDeps();
    const expiry = new Date(deps.clockMs + 60_000).toISOString();
    deps.pluginOut = JSON.stringify({ status: { token: 'exec-tok', expirationTimestamp: expiry } });
    const source = credentialSource({ kind: 'exec', exec }, deps);
    const [a, b] = await Promise.all([source.get(), source.get()]);
    expect(a.authorization).to.equal('Bearer exec-tok');
    expect(b).to.equal(a);
    expect(deps.runs).to.have.length(1);
    expect(deps.runs[0]!.command).to.equal('/etc/kube/plugin');
    expect(deps.runs[0]!.env['SITE']).to.equal('x');
    expect(JSON.parse(deps.runs[0]!.env['KUBERNETES_EXEC_INFO']!)).to.deep.equal({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: 'https://a' } },
    });
    deps.clockMs += 45_000;
    await source.get();
    expect(deps.runs).to.have.length(1);
    deps.clockMs += 10_000; // within the renewal margin
    await source.get();
    expect(deps.runs).to.have.length(2);
  });

  it('a plugin that fails is reported with its command', async () => {
    const deps = fakeDeps();
    deps.runPlugin = () => Promise.reject(new Error('exit 1: login required'));
    let err: Error | undefined;
    await credentialSource({ kind: 'exec', exec }, deps)
      .get()
      .catch((e: Error) => (err = e));
    expect(err?.message).to.equal('exec credential plugin ./plugin failed: exit 1: login required');
  });
});

describe('parseExecCredential', () => {
  it('takes a client certificate and key', () => {
    const { credential, expiresAtMs } = parseExecCredential(
      JSON.stringify({ status: { clientCertificateData: 'C', clientKeyData: 'K' } }),
      'p',
    );
    expect(credential).to.deep.equal({ authorization: undefined, certPem: 'C', keyPem: 'K' });
    expect(expiresAtMs).to.equal(Number.POSITIVE_INFINITY);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', 'hello', /did not print an ExecCredential/],
    ['no credential', JSON.stringify({ status: {} }), /neither a token nor a client certificate/],
    ['a certificate without key', JSON.stringify({ status: { clientCertificateData: 'C' } }), /neither/],
  ];
  for (const [name, out, pattern] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => parseExecCredential(out, 'p')).to.throw(pattern);
    });
  }
});
