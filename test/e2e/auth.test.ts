import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createNamespace, deleteNode, mustKubectl, startVkNode, testCluster } from './support/e2e-env.js';
import { kubeletGet } from './support/https-get.js';
import type { VkNode } from './support/vk-node.js';

describe('kubelet API authentication and authorisation', function () {
  this.timeout(120_000);
  let node: VkNode;
  let namespace: string;

  before(async () => {
    node = await startVkNode('vk-auth');
    namespace = await createNamespace('auth');
  });
  after(async () => node && deleteNode(node));

  it('refuses an anonymous request', async () => {
    const res = await kubeletGet(node.kubeletPort, '/pods');
    expect(res.status).to.equal(401);
    const metrics = await kubeletGet(node.kubeletPort, '/metrics/resource');
    expect(metrics.status).to.equal(401);
  });

  it("accepts the API server's kubelet client certificate and refuses one from another CA", async () => {
    // kube-apiserver refuses to proxy to loopback node addresses, so the request is made
    // directly with the client certificate the API server uses for kubelets.
    const pki = path.join(testCluster().dir, 'pki');
    const cert = readFileSync(path.join(pki, 'apiserver-kubelet-client.crt'), 'utf8');
    const key = readFileSync(path.join(pki, 'apiserver-kubelet-client.key'), 'utf8');
    const pods = await kubeletGet(node.kubeletPort, '/pods', { cert, key });
    expect(pods.status, pods.body).to.equal(200);
    expect((JSON.parse(pods.body) as { kind: string }).kind).to.equal('PodList');
    const metrics = await kubeletGet(node.kubeletPort, '/metrics/resource', { cert, key });
    expect(metrics.body).to.contain('node_cpu_usage_seconds_total');

    // The front-proxy CA is a real CA of this cluster, but not the one kubelets trust.
    const otherCa = path.join(pki, 'front-proxy-client');
    const foreign = await kubeletGet(node.kubeletPort, '/pods', {
      cert: readFileSync(`${otherCa}.crt`, 'utf8'),
      key: readFileSync(`${otherCa}.key`, 'utf8'),
    });
    expect(foreign.status).to.equal(401);
  });

  it("accepts a token with metrics-server's role and forbids one without it", async () => {
    await mustKubectl(['create', 'serviceaccount', '-n', namespace, 'scraper']);
    await mustKubectl(['create', 'serviceaccount', '-n', namespace, 'nobody']);
    await mustKubectl([
      'create',
      'clusterrolebinding',
      `${namespace}-scraper`,
      '--clusterrole=system:metrics-server',
      `--serviceaccount=${namespace}:scraper`,
    ]);
    const scraperToken = (await mustKubectl(['create', 'token', '-n', namespace, 'scraper'])).trim();
    const nobodyToken = (await mustKubectl(['create', 'token', '-n', namespace, 'nobody'])).trim();

    const allowed = await kubeletGet(node.kubeletPort, '/metrics/resource', { token: scraperToken });
    expect(allowed.status, allowed.body).to.equal(200);
    expect(allowed.body).to.contain('node_memory_working_set_bytes');

    const forbidden = await kubeletGet(node.kubeletPort, '/metrics/resource', { token: nobodyToken });
    expect(forbidden.status, forbidden.body).to.equal(403);

    const bogus = await kubeletGet(node.kubeletPort, '/metrics/resource', { token: 'not-a-token' });
    expect(bogus.status).to.equal(401);
  });
});
