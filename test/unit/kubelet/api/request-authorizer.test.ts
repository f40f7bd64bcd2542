import { expect } from 'chai';
import {
  AuthorizationReviewError,
  RequestAuthorizer,
  forbiddenMessage,
  requestAttributes,
  type AccessAttributes,
  type AccessDecision,
  type AccessReviewer,
} from '../../../../src/kubelet/api/request-authorizer.js';
import type { UserInfo } from '../../../../src/kubelet/api/request-authenticator.js';

const USER: UserInfo = {
  name: 'alice',
  uid: undefined,
  groups: ['dev', 'system:authenticated'],
  extra: undefined,
};

describe('requestAttributes (1.33, KubeletFineGrainedAuthz on)', () => {
  const cases: Array<[string, string, string, string[]]> = [
    ['GET', '/stats/summary', 'get', ['stats']],
    ['GET', '/stats', 'get', ['stats']],
    ['GET', '/stats/', 'get', ['stats']],
    ['GET', '/statsfoo', 'get', ['proxy']],
    ['GET', '/metrics', 'get', ['metrics']],
    ['GET', '/metrics/resource', 'get', ['metrics']],
    ['GET', '/metrics/cadvisor', 'get', ['metrics']],
    ['GET', '/metrics/probes', 'get', ['metrics']],
    ['GET', '/metricsx', 'get', ['proxy']],
    ['GET', '/logs/', 'get', ['log']],
    ['GET', '/logs/messages', 'get', ['log']],
    ['GET', '/containerLogs/ns/pod/c', 'get', ['proxy']],
    ['GET', '/pods', 'get', ['pods', 'proxy']],
    ['GET', '/pods/', 'get', ['pods', 'proxy']],
    ['GET', '/podsx', 'get', ['proxy']],
    ['GET', '/runningpods/', 'get', ['pods', 'proxy']],
    ['GET', '/healthz', 'get', ['healthz', 'proxy']],
    ['GET', '/healthz/ping', 'get', ['healthz', 'proxy']],
    ['GET', '/readyz', 'get', ['proxy']],
    ['GET', '/nope', 'get', ['proxy']],
    ['POST', '/pods', 'create', ['pods', 'proxy']],
    ['PUT', '/run/ns/p/c', 'update', ['proxy']],
    ['PATCH', '/pods', 'patch', ['pods', 'proxy']],
    ['DELETE', '/pods', 'delete', ['pods', 'proxy']],
    ['HEAD', '/pods', '', ['pods', 'proxy']],
  ];
  for (const [method, path, verb, subresources] of cases) {
    it(`${method} ${path} -> ${verb || '(no verb)'} nodes/{${subresources.join(',')}}`, () => {
      expect(requestAttributes(USER, method, path, 'vk-1')).to.deep.equal(
        subresources.map((subresource) => ({
          user: USER,
          verb,
          apiVersion: 'v1',
          resource: 'nodes',
          subresource,
          name: 'vk-1',
        })),
      );
    });
  }

  it('writes a kubelet-style Forbidden message naming every subresource tried', () => {
    expect(forbiddenMessage(requestAttributes(USER, 'GET', '/metrics/resource', 'vk-1'))).to.equal(
      'Forbidden (user=alice, verb=get, resource=nodes, subresource(s)=[metrics])',
    );
    expect(forbiddenMessage(requestAttributes(USER, 'GET', '/healthz', 'vk-1'))).to.equal(
      'Forbidden (user=alice, verb=get, resource=nodes, subresource(s)=[healthz proxy])',
    );
  });
});

class FakeAccessReviewer implements AccessReviewer {
  calls: AccessAttributes[] = [];
  allowed = new Set<string>();
  failNext = false;
  async review(attributes: AccessAttributes): Promise<AccessDecision> {
    this.calls.push(attributes);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('apiserver down');
    }
    const allowed = this.allowed.has(`${attributes.user.name}:${attributes.subresource}`);
    return { allowed, reason: allowed ? 'RBAC: allowed' : 'no RBAC policy matched' };
  }
}

describe('RequestAuthorizer', () => {
  let now: number;
  let reviewer: FakeAccessReviewer;
  const make = (mode: 'Webhook' | 'AlwaysAllow'): RequestAuthorizer =>
    new RequestAuthorizer({ mode, reviewer, nowMs: () => now });
  const attrs = (path: string, user: UserInfo = USER): AccessAttributes[] =>
    requestAttributes(user, 'GET', path, 'vk-1');

  beforeEach(() => {
    now = 5_000_000;
    reviewer = new FakeAccessReviewer();
    reviewer.allowed.add('alice:metrics');
  });

  it('AlwaysAllow allows without a review', async () => {
    expect((await make('AlwaysAllow').authorize(attrs('/pods'))).allowed).to.equal(true);
    expect(reviewer.calls).to.have.length(0);
  });

  it('Webhook follows the review', async () => {
    const authz = make('Webhook');
    expect((await authz.authorize(attrs('/metrics/resource'))).allowed).to.equal(true);
    expect((await authz.authorize(attrs('/stats/summary'))).allowed).to.equal(false);
    expect(reviewer.calls.map((c) => c.subresource)).to.deep.equal(['metrics', 'stats']);
  });

  it('caches an allowed decision for 5 minutes', async () => {
    const authz = make('Webhook');
    await authz.authorize(attrs('/metrics/resource'));
    now += 299_000;
    await authz.authorize(attrs('/metrics'));
    expect(reviewer.calls).to.have.length(1);
    now += 2_000;
    await authz.authorize(attrs('/metrics'));
    expect(reviewer.calls).to.have.length(2);
  });

  it('caches a denied decision for 30 seconds', async () => {
    const authz = make('Webhook');
    await authz.authorize(attrs('/configz'));
    now += 29_000;
    expect((await authz.authorize(attrs('/configz'))).allowed).to.equal(false);
    expect(reviewer.calls).to.have.length(1);
    reviewer.allowed.add('alice:proxy');
    now += 2_000;
    expect((await authz.authorize(attrs('/configz'))).allowed).to.equal(true);
  });

  it('keys the cache by user and groups', async () => {
    const authz = make('Webhook');
    await authz.authorize(attrs('/metrics'));
    await authz.authorize(attrs('/metrics', { ...USER, groups: ['other'] }));
    await authz.authorize(attrs('/metrics', { ...USER, name: 'bob' }));
    expect(reviewer.calls).to.have.length(3);
  });

  it('rejects when the review fails and does not cache the failure', async () => {
    const authz = make('Webhook');
    reviewer.failNext = true;
    let failure: unknown;
    await authz.authorize(attrs('/metrics')).catch((err: unknown) => (failure = err));
    expect(failure).to.be.instanceOf(Error);
    expect((await authz.authorize(attrs('/metrics'))).allowed).to.equal(true);
  });

  it('allows on the fine-grained subresource without asking for nodes/proxy', async () => {
    reviewer.allowed.add('alice:healthz');
    const decision = await make('Webhook').authorize(attrs('/healthz'));
    expect(decision.allowed).to.equal(true);
    expect(reviewer.calls.map((c) => c.subresource)).to.deep.equal(['healthz']);
  });

  it('falls back to nodes/proxy when the fine-grained subresource is denied', async () => {
    reviewer.allowed.add('alice:proxy');
    const authz = make('Webhook');
    expect((await authz.authorize(attrs('/pods'))).allowed).to.equal(true);
    expect(reviewer.calls.map((c) => c.subresource)).to.deep.equal(['pods', 'proxy']);
    expect((await authz.authorize(attrs('/healthz'))).allowed).to.equal(true);
    expect(reviewer.calls.map((c) => c.subresource)).to.deep.equal(['pods', 'proxy', 'healthz']);
  });

  it('names the check whose review failed', async () => {
    reviewer.failNext = true;
    let failure: unknown;
    await make('Webhook')
      .authorize(attrs('/pods'))
      .catch((err: unknown) => (failure = err));
    expect(failure).to.be.instanceOf(AuthorizationReviewError);
    expect((failure as Error).message).to.equal(
      'Authorization error (user=alice, verb=get, resource=nodes, subresource=pods)',
    );
  });
});
