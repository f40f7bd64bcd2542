import { expect } from 'chai';
import { pino } from 'pino';
import { KubeApiClient } from '../../../../src/kubelet/kube/kube-api-client.js';
import type { KubeRequest, KubeTransport } from '../../../../src/kubelet/kube/kube-transport.js';
import { writtenVersion } from '../../../../src/kubelet/kube/written-version.js';
import { KubeletMetrics } from '../../../../src/kubelet/kubelet-metrics.js';

/** A pod as the API server writes it: ObjectMeta's fields in their order, then a large status. */
function podText(resourceVersion: string, containers: number): string {
  return JSON.stringify({
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: 'huge',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'x' },
      managedFields: [{ manager: 'vk-cmd', fieldsV1: { resourceVersion: 'not this' } }],
    },
    status: {
      containerStatuses: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, ready: true })),
    },
  });
}

describe('writtenVersion', () => {
  const cases: Array<{ name: string; text: string; want: string | undefined }> = [
    { name: 'a pod in the API server order', text: podText('4711', 3), want: '4711' },
    {
      name: 'a nested object before the key: parsed in full',
      text: '{"metadata":{"labels":{"resourceVersion":"1"},"resourceVersion":"2"}}',
      want: '2',
    },
    { name: 'no metadata', text: '{"kind":"Status"}', want: undefined },
    { name: 'metadata without resourceVersion', text: '{"metadata":{"name":"p"}}', want: undefined },
    { name: 'empty answer', text: '', want: undefined },
    {
      name: 'an escaped value: parsed in full',
      text: '{"metadata":{"resourceVersion":"a\\"b"}}',
      want: 'a"b',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(writtenVersion(c.text).metadata?.resourceVersion).to.equal(c.want);
    });
  }

  it('reads a pod whose body after the metadata is not even read (no full parse)', () => {
    const text = podText('99', 2);
    // Cut the status off: a full JSON.parse would throw.
    const truncated = text.slice(0, text.indexOf('"status"') + 5);
    expect(writtenVersion(truncated).metadata?.resourceVersion).to.equal('99');
  });
});

describe('KubeApiClient.patchPodStatus', () => {
  it('answers with the resourceVersion without parsing the pod, and counts the request', async () => {
    const text = podText('123', 1000);
    const requests: KubeRequest[] = [];
    const transport = {
      requestText: (req: KubeRequest) => {
        requests.push(req);
        // Only the metadata is valid JSON: parsing the whole answer would throw.
        return Promise.resolve(text.slice(0, text.indexOf('"status"')) + '<not json>');
      },
      request: () => Promise.reject(new Error('the answer must not be parsed')),
    } as unknown as KubeTransport;
    const metrics = new KubeletMetrics({ collectProcessMetrics: false });
    const api = new KubeApiClient(transport, metrics, pino({ level: 'silent' }));
    const written = await api.patchPodStatus('ns', 'huge', { status: {} });
    expect(written.metadata?.resourceVersion).to.equal('123');
    expect(requests[0]).to.deep.include({
      method: 'PATCH',
      path: '/api/v1/namespaces/ns/pods/huge/status',
      contentType: 'application/strategic-merge-patch+json',
    });
    const counted = await metrics.registry.getSingleMetricAsString('vkcmd_kubelet_apiserver_requests_total');
    expect(counted).to.match(/verb="patch",resource="pods\/status",code="200"\} 1/);
  });
});
