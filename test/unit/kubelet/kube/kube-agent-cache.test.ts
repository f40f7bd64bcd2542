import { expect } from 'chai';
import http from 'node:http';
import https from 'node:https';
import { KubeAgentCache, type KubeAgentOptions } from '../../../../src/kubelet/kube/kube-agent-cache.js';
import type { Credential } from '../../../../src/kubelet/kube/kube-credentials.js';
import type { KubeClientConfig } from '../../../../src/kubelet/kube/kubeconfig.js';

const config: KubeClientConfig = {
  server: 'https://10.0.0.1:6443',
  caPem: 'CA',
  insecureSkipTlsVerify: false,
  tlsServerName: 'kubernetes',
  clientCertPem: 'CERT',
  clientKeyPem: 'KEY',
  credentials: { kind: 'none' },
  impersonationHeaders: {},
  namespace: 'default',
};
const none: Credential = { authorization: undefined, certPem: undefined, keyPem: undefined };
const rotated: Credential = { authorization: undefined, certPem: 'CERT2', keyPem: 'KEY2' };

describe('KubeAgentCache', () => {
  it("builds one keep-alive https agent with the kubeconfig's TLS material and reuses it", () => {
    const cache = new KubeAgentCache(config, 16);
    const agent = cache.get(none);
    expect(agent).to.be.instanceOf(https.Agent);
    expect(cache.get(none)).to.equal(agent);
    expect((agent as https.Agent).options).to.deep.include({
      keepAlive: true,
      maxSockets: 16,
      ca: 'CA',
      cert: 'CERT',
      key: 'KEY',
      servername: 'kubernetes',
      rejectUnauthorized: true,
    });
    expect(cache.get(rotated), 'a new client certificate gets a new agent').to.not.equal(agent);
    cache.close();
  });

  it('uses a plain http agent for an http server', () => {
    const cache = new KubeAgentCache({ ...config, server: 'http://127.0.0.1:8080' }, 4);
    const agent = cache.get(none);
    expect(agent).to.be.instanceOf(http.Agent).and.not.instanceOf(https.Agent);
    cache.close();
  });

  it('with a factory: concurrent callers share one build, and a new certificate builds again', async () => {
    const built: KubeAgentOptions[] = [];
    const cache = new KubeAgentCache(config, 16, (options) => {
      built.push(options);
      return Promise.resolve(new http.Agent());
    });
    const [a, b] = await Promise.all([cache.get(none), cache.get(none)]);
    expect(a).to.equal(b);
    expect(built).to.have.length(1);
    expect(built[0]).to.deep.include({ keepAlive: true, maxSockets: 16, cert: 'CERT', ca: 'CA' });
    expect(cache.get(none), 'installed once built').to.equal(a);
    const c = await cache.get(rotated);
    expect(c).to.not.equal(a);
    expect(built[1]).to.deep.include({ cert: 'CERT2', key: 'KEY2' });
    cache.close();
  });

  it('with a factory that fails: the error reaches the caller and the next get tries again', async () => {
    let calls = 0;
    const cache = new KubeAgentCache(config, 16, () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('no proxy')) : Promise.resolve(new http.Agent());
    });
    let err: unknown;
    await Promise.resolve(cache.get(none)).catch((e: unknown) => (err = e));
    expect(err).to.have.property('message', 'no proxy');
    expect(await cache.get(none)).to.be.instanceOf(http.Agent);
    expect(calls).to.equal(2);
    cache.close();
  });
});
