import { expect } from 'chai';
import { pino } from 'pino';
import { KubeApiClient } from '../../../../src/kubelet/kube/kube-api-client.js';
import type { KubeRequest, KubeTransport } from '../../../../src/kubelet/kube/kube-transport.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';

/** A transport that answers every request with text that is not JSON, and refuses to parse anything. */
function unparsedTransport(): { transport: KubeTransport; requests: KubeRequest[] } {
  const requests: KubeRequest[] = [];
  const transport = {
    requestText: (req: KubeRequest) => {
      requests.push(req);
      return Promise.resolve('<an answer nobody reads>');
    },
    request: () => Promise.reject(new Error('the answer must not be parsed')),
  } as unknown as KubeTransport;
  return { transport, requests };
}

describe('KubeApiClient: answers nothing reads are not parsed', () => {
  const setup = () => {
    const { transport, requests } = unparsedTransport();
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    return { api: new KubeApiClient(transport, metrics, pino({ level: 'silent' })), requests, metrics };
  };

  it('createEvent posts the event and counts it', async () => {
    const { api, requests, metrics } = setup();
    await api.createEvent('ns', { metadata: { name: 'p.1' }, involvedObject: {} });
    expect(requests[0]).to.deep.include({ method: 'POST', path: '/api/v1/namespaces/ns/events' });
    const counted = await metrics.registry.getSingleMetricAsString('vkcmd_kubelet_apiserver_requests_total');
    expect(counted).to.contain('verb="create",resource="events",code="201"} 1');
  });

  it('patchEvent sends a merge patch', async () => {
    const { api, requests } = setup();
    await api.patchEvent('ns', 'p.1', { count: 2 });
    expect(requests[0]).to.deep.include({
      method: 'PATCH',
      path: '/api/v1/namespaces/ns/events/p.1',
      contentType: 'application/merge-patch+json',
    });
  });

  it('deletePod deletes with grace 0 and the UID precondition, and resolves true', async () => {
    const { api, requests } = setup();
    expect(await api.deletePod('ns', 'p', 'u1')).to.equal(true);
    expect(requests[0]).to.deep.include({ method: 'DELETE', path: '/api/v1/namespaces/ns/pods/p' });
    expect(requests[0]?.body).to.deep.equal({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u1' },
    });
  });
});

describe('KubeApiClient: Leases on the heartbeat transport', () => {
  /** A transport that records the paths it was asked for and answers `{}`. */
  const recording = (): { transport: KubeTransport; paths: string[] } => {
    const paths: string[] = [];
    const answer = (req: KubeRequest) => {
      paths.push(req.path);
      return Promise.resolve({});
    };
    return {
      transport: {
        request: answer,
        requestText: (req: KubeRequest) => answer(req).then(() => '{}'),
      } as unknown as KubeTransport,
      paths,
    };
  };

  it('renews and reads the Lease over the heartbeat transport; node and pod writes over the shared one', async () => {
    const shared = recording();
    const heartbeat = recording();
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    const api = new KubeApiClient(shared.transport, metrics, pino({ level: 'silent' }), heartbeat.transport);
    const lease = { metadata: { namespace: 'kube-node-lease', name: 'n1' } };
    await api.getLease('kube-node-lease', 'n1');
    await api.replaceLease(lease);
    await api.createLease(lease);
    await api.patchNodeStatus('n1', {});
    await api.createEvent('ns', { metadata: { name: 'p.1' }, involvedObject: {} });
    expect(heartbeat.paths).to.deep.equal([
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    ]);
    expect(shared.paths).to.deep.equal(['/api/v1/nodes/n1/status', '/api/v1/namespaces/ns/events']);
  });
});
