import { expect } from 'chai';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { KubeletApiFixture } from './support/kubelet-api-fixture.js';

describe('KubeletApiServer over HTTPS', function () {
  this.timeout(30_000);
  const f = KubeletApiFixture.use();

  describe('routes', () => {
    it('serves /stats/summary from the runner joined with the pods', async () => {
      const res = await f.get('/stats/summary');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json');
      const summary = JSON.parse(res.body) as {
        node: { nodeName: string; memory: { workingSetBytes: number } };
        pods: Array<{
          podRef: { name: string };
          containers: Array<{ name: string; cpu: { usageNanoCores: number } }>;
        }>;
      };
      expect(summary.node.nodeName).to.equal('vk-test');
      expect(summary.node.memory.workingSetBytes).to.equal(4_000_000_000);
      expect(summary.pods.map((p) => p.podRef.name)).to.deep.equal(['web', 'batch']);
      expect(summary.pods[0]?.containers.map((c) => c.name)).to.deep.equal(['main', 'sidecar']);
      expect(summary.pods[0]?.containers[1]?.cpu.usageNanoCores).to.be.at.least(1);
    });

    it('serves /metrics/resource in the Prometheus text format', async () => {
      const res = await f.get('/metrics/resource');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).to.contain(
        'container_cpu_usage_seconds_total{container="main",namespace="team-a",pod="web"} 1.5 1714564800500\n',
      );
      expect(res.body).to.contain('node_memory_working_set_bytes 4e+09 1714564800500\n');
      expect(res.body).to.contain('\nresource_scrape_error 0\n');
    });

    it('serves /metrics/cadvisor with cAdvisor names and labels, and an empty /metrics/probes', async () => {
      const res = await f.get('/metrics/cadvisor');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).to.match(
        /^container_memory_working_set_bytes\{container="main",id="[^"]+",image="script\/run.sh",name="[^"]*",namespace="team-a",pod="web"\} 5\.24288e\+07 1714564800500$/m,
      );
      expect(res.body).to.contain('\ncontainer_scrape_error 0\n');
      const probes = await f.get('/metrics/probes');
      expect(probes).to.include({ status: 200, body: '' });
      expect(probes.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
    });

    it('reports a runner failure as 503 on /stats/summary and resource_scrape_error 1 on /metrics/resource', async () => {
      f.runner.statsError = GrpcStatus.UNAVAILABLE;
      try {
        const summary = await f.get('/stats/summary');
        expect(summary.status).to.equal(503);
        const resource = await f.get('/metrics/resource');
        expect(resource.status).to.equal(200);
        expect(resource.body).to.contain('\nresource_scrape_error 1\n');
        expect(resource.body).to.not.contain('node_cpu_usage_seconds_total');
        const cadvisor = await f.get('/metrics/cadvisor');
        expect(cadvisor.status).to.equal(200);
        expect(cadvisor.body).to.contain('\ncontainer_scrape_error 1\n');
        expect(cadvisor.body).to.not.contain('container_cpu_usage_seconds_total');
      } finally {
        f.runner.statsError = undefined;
      }
    });

    it('answers 503 when the runner cannot be reached', async () => {
      const unreachable = await f.startUnreachable();
      const res = await f.getFrom(unreachable, '/stats/summary');
      expect(res.status).to.equal(503);
    });

    it('serves /healthz and /readyz from the health source', async () => {
      expect(await f.get('/healthz')).to.include({ status: 200, body: 'ok' });
      expect(await f.get('/readyz')).to.include({ status: 200, body: 'ok' });
      f.healthy = false;
      f.ready = { ready: false, reason: 'runner link down' };
      expect((await f.get('/healthz')).status).to.equal(500);
      expect(await f.get('/readyz')).to.include({ status: 500, body: 'not ready: runner link down' });
    });

    it('serves its own metrics, counting requests by route and code', async () => {
      await f.get('/nope');
      await f.get('/pods', {});
      const res = await f.get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.body).to.match(/vkcmd_kubelet_http_requests_total\{route="other",code="404"\} \d+/);
      expect(res.body).to.match(/vkcmd_kubelet_http_requests_total\{route="\/pods",code="401"\} \d+/);
    });

    it('answers 404 for unknown paths and 405 for other methods', async () => {
      expect((await f.get('/checkpoint/team-a/talker/c1')).status).to.equal(404);
      const post = await f.get('/pods', f.apiserverCert, 'POST');
      expect(post.status).to.equal(405);
      expect(post.headers['allow']).to.equal('GET');
      expect(f.reviewer.reviews.at(-1)?.verb).to.equal('create');
    });
  });
});
