import { expect } from 'chai';
import { matchRoute } from '../../../../src/kubelet/api/api-routes.js';
import { podListJson, runningPodListJson } from '../../../../src/kubelet/api/api-handlers.js';
import { samplePods } from '../../../fixtures/kubelet-api/stats-fixture.js';

describe('matchRoute', () => {
  const cases: Array<[string, string | undefined, string[]]> = [
    ['/containerLogs/ns/pod/c1', 'containerLogs', ['ns', 'pod', 'c1']],
    ['/containerLogs/ns/pod/', 'containerLogs', ['ns', 'pod', '']],
    ['/containerLogs/n%2Ds/p/c', 'containerLogs', ['n-s', 'p', 'c']],
    ['/containerLogs/ns/pod', undefined, []],
    ['/containerLogs/ns/pod/c/extra', undefined, []],
    ['/stats/summary', 'statsSummary', []],
    ['/stats/summary/', 'statsSummary', []],
    ['/metrics/resource', 'metricsResource', []],
    ['/metrics', 'metrics', []],
    ['/metrics/cadvisor', 'metricsCadvisor', []],
    ['/metrics/probes', 'metricsProbes', []],
    ['/pods', 'pods', []],
    ['/runningpods/', 'runningPods', []],
    ['/healthz', 'healthz', []],
    ['/readyz', 'readyz', []],
    ['/', undefined, []],
    ['/metrics/other', undefined, []],
    ['/checkpoint/ns/pod/c', undefined, []],
    ['/exec/ns/pod/c', 'exec', ['ns', 'pod', '', 'c']],
  ];
  for (const [path, route, params] of cases) {
    it(`${path} -> ${route ?? 'none'}`, () => {
      const match = matchRoute(path);
      expect(match?.route).to.equal(route);
      if (match) expect(match.params).to.deep.equal(params);
    });
  }

  it('refuses an undecodable segment', () => {
    expect(() => matchRoute('/containerLogs/ns/%E0%A4%A/c')).to.throw(/invalid path segment/);
  });
});

describe('pod lists', () => {
  it('serves a v1 PodList with RFC 3339 times', () => {
    const list = JSON.parse(podListJson(samplePods())) as {
      kind: string;
      apiVersion: string;
      metadata: object;
      items: Array<{ metadata: { name: string; creationTimestamp: string } }>;
    };
    expect(list.kind).to.equal('PodList');
    expect(list.apiVersion).to.equal('v1');
    expect(list.metadata).to.deep.equal({});
    expect(list.items.map((p) => p.metadata.name)).to.deep.equal(['web', 'batch', 'idle']);
    expect(list.items[0]?.metadata.creationTimestamp).to.equal('2024-05-01T10:00:00Z');
  });

  it('lists running pods reduced to names and containers', () => {
    const pods = samplePods();
    const idle = pods[2];
    if (idle?.status) idle.status.containerStatuses = [];
    const list = JSON.parse(runningPodListJson(pods)) as { items: Array<{ metadata: object; spec: object }> };
    expect(list.items).to.deep.equal([
      {
        metadata: { name: 'web', namespace: 'team-a', uid: 'uid-web' },
        spec: {
          containers: [
            { name: 'main', image: 'script/run.sh' },
            { name: 'sidecar', image: 'script/run.sh' },
          ],
        },
      },
      {
        metadata: { name: 'batch', namespace: 'team-b', uid: 'uid-batch' },
        spec: { containers: [{ name: 'job', image: 'script/run.sh' }] },
      },
    ]);
  });
});
