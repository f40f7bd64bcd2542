import { expect } from 'chai';
import {
  APISERVER_USER,
  KubeletApiFixture,
  NOBODY_TOKEN,
  PROBE_TOKEN,
  SCRAPER_TOKEN,
} from './support/kubelet-api-fixture.js';

describe('KubeletApiServer over HTTPS', function () {
  this.timeout(30_000);
  const f = KubeletApiFixture.use();

  describe('authentication and authorisation', () => {
    it('accepts a client certificate signed by the client CA', async () => {
      const res = await f.get('/pods');
      expect(res.status, res.body).to.equal(200);
      const list = JSON.parse(res.body) as { kind: string; apiVersion: string; items: unknown[] };
      expect(list).to.include({ kind: 'PodList', apiVersion: 'v1' });
      expect(list.items).to.have.length(4);
      const review = f.reviewer.reviews[0];
      expect(review?.user.name).to.equal(APISERVER_USER);
      expect(review?.user.groups).to.deep.equal(['kubeadm:cluster-admins', 'system:authenticated']);
      expect(review).to.deep.include({
        verb: 'get',
        resource: 'nodes',
        subresource: 'pods',
        name: 'vk-test',
      });
    });

    it('refuses a client certificate from another CA', async () => {
      const res = await f.get('/pods', f.strangerCert);
      expect(res.status).to.equal(401);
      expect(res.body).to.equal('Unauthorized');
    });

    it('accepts a bearer token the TokenReview accepts and refuses one it does not', async () => {
      const ok = await f.get('/metrics/resource', { token: SCRAPER_TOKEN });
      expect(ok.status, ok.body).to.equal(200);
      const bogus = await f.get('/metrics/resource', { token: 'not-a-token' });
      expect(bogus.status).to.equal(401);
    });

    it('answers 403 with the kubelet message when the SubjectAccessReview denies', async () => {
      const res = await f.get('/metrics/resource', { token: NOBODY_TOKEN });
      expect(res.status).to.equal(403);
      expect(res.body).to.equal(
        'Forbidden (user=system:serviceaccount:default:nobody, verb=get, resource=nodes, subresource(s)=[metrics])',
      );
      const logs = await f.get('/containerLogs/team-a/talker/c1', { token: SCRAPER_TOKEN });
      expect(logs.status).to.equal(403);
      expect(logs.body).to.contain('subresource(s)=[proxy]');
    });

    it('refuses anonymous requests unless anonymous access is enabled', async () => {
      for (const p of ['/pods', '/metrics/resource', '/healthz', '/nope']) {
        expect((await f.get(p, {})).status, p).to.equal(401);
      }
      const anonymous = await f.startServer({ anonymousAuth: true });
      const anonGet = (p: string) => f.getFrom(anonymous.port, p, {});
      expect((await anonGet('/healthz')).status, 'authorised like any path').to.equal(403);
      const denied = await anonGet('/pods');
      expect(denied.status).to.equal(403);
      expect(denied.body).to.contain('user=system:anonymous');
      expect(f.reviewer.reviews.at(-1)?.user.groups).to.deep.equal(['system:unauthenticated']);
    });

    it('skips the review with AlwaysAllow', async () => {
      const open = await f.startServer({ authorizationMode: 'AlwaysAllow' });
      const res = await f.getFrom(open.port, '/stats/summary', { token: NOBODY_TOKEN });
      expect(res.status).to.equal(200);
      expect(f.reviewer.reviews).to.have.length(0);
    });

    it('authorises /healthz as nodes/healthz, then nodes/proxy (1.33 fine-grained authorisation)', async () => {
      const probe = await f.get('/healthz', { token: PROBE_TOKEN });
      expect(probe).to.include({ status: 200, body: 'ok' });
      expect(f.reviewer.reviews.map((r) => r.subresource)).to.deep.equal(['healthz']);
      const readyz = await f.get('/readyz', { token: PROBE_TOKEN });
      expect(readyz.status, '/readyz is not a kubelet path: nodes/proxy').to.equal(403);
      expect(readyz.body).to.contain('subresource(s)=[proxy]');
      const denied = await f.get('/healthz', { token: NOBODY_TOKEN });
      expect(denied.status).to.equal(403);
      expect(denied.body).to.equal(
        'Forbidden (user=system:serviceaccount:default:nobody, verb=get, resource=nodes, subresource(s)=[healthz proxy])',
      );
    });

    it('authorises /pods as nodes/pods and falls back to nodes/proxy', async () => {
      const res = await f.get('/pods');
      expect(res.status).to.equal(200);
      expect(f.reviewer.reviews.map((r) => r.subresource)).to.deep.equal(['pods']);
      const scraper = await f.get('/pods', { token: SCRAPER_TOKEN });
      expect(scraper.status).to.equal(403);
      expect(f.reviewer.reviews.slice(1).map((r) => r.subresource)).to.deep.equal(['pods', 'proxy']);
      expect(scraper.body).to.contain('subresource(s)=[pods proxy]');
    });

    it('answers 500 naming the check when a review cannot be made', async () => {
      const failing = await f.startServer({
        accessReviewer: { review: () => Promise.reject(new Error('apiserver down')) },
      });
      const res = await f.getFrom(failing.port, '/healthz');
      expect(res).to.include({
        status: 500,
        body: `Authorization error (user=${APISERVER_USER}, verb=get, resource=nodes, subresource=healthz)`,
      });
    });
  });
});
