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
