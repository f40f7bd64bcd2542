import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createKubeAccessReviewer,
  createKubeTokenReviewer,
} from '../../../src/kubelet/api/kube-reviewers.js';
import { credentialSource } from '../../../src/kubelet/kube/kube-credentials.js';
import { KubeTransport } from '../../../src/kubelet/kube/kube-transport.js';
import { requestAttributes } from '../../../src/kubelet/api/request-authorizer.js';

interface Captured {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

// Stands in for the API server's review endpoints: echoes the review with a status the test chooses.
describe('TokenReview and SubjectAccessReview clients', () => {
  let server: http.Server;
  let transport: KubeTransport;
  const captured: Captured[] = [];
  let status: Record<string, unknown> = {};
  let httpStatus = 201;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        captured.push({ method: req.method ?? '', path: req.url ?? '', body });
        res.writeHead(httpStatus, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(httpStatus < 300 ? { ...body, status } : { kind: 'Status', code: httpStatus }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    transport = new KubeTransport(
      {
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caPem: undefined,
        insecureSkipTlsVerify: true,
        tlsServerName: undefined,
        clientCertPem: undefined,
        clientKeyPem: undefined,
        credentials: { kind: 'token', token: 'kubelet-token' },
        impersonationHeaders: {},
        namespace: 'default',
      },
      credentialSource({ kind: 'token', token: 'kubelet-token' }),
      { maxSockets: 2, userAgent: 'test' },
    );
  });

  beforeEach(() => {
    captured.length = 0;
    httpStatus = 201;
  });

  after(async () => {
    transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends a TokenReview and reads the user', async () => {
    status = {
      authenticated: true,
      user: {
        username: 'system:serviceaccount:kube-system:metrics-server',
        uid: 'abc',
        groups: ['system:serviceaccounts'],
      },
    };
    const result = await createKubeTokenReviewer(transport).review('the-token');
    expect(captured[0]?.method).to.equal('POST');
    expect(captured[0]?.path).to.equal('/apis/authentication.k8s.io/v1/tokenreviews');
    expect(captured[0]?.body).to.deep.include({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
    });
    expect(captured[0]?.body['spec']).to.deep.equal({ token: 'the-token' });
    expect(result).to.deep.equal({
      authenticated: true,
      user: {
        name: 'system:serviceaccount:kube-system:metrics-server',
        uid: 'abc',
        groups: ['system:serviceaccounts'],
        extra: undefined,
      },
      error: undefined,
    });
  });

  it('reads a refused token as not authenticated', async () => {
    status = { authenticated: false, error: 'token expired' };
    const result = await createKubeTokenReviewer(transport).review('old');
    expect(result).to.deep.equal({ authenticated: false, user: undefined, error: 'token expired' });
  });

  it('sends a SubjectAccessReview for nodes/<subresource> and reads the decision', async () => {
    status = { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding' };
    const user = {
      name: 'alice',
      uid: 'u-1',
      groups: ['dev', 'system:authenticated'],
      extra: { scopes: ['x'] },
    };
    const decision = await createKubeAccessReviewer(transport).review(
      requestAttributes(user, 'GET', '/stats/summary', 'vk-1')[0]!,
    );
    expect(captured[0]?.path).to.equal('/apis/authorization.k8s.io/v1/subjectaccessreviews');
    expect(captured[0]?.body['spec']).to.deep.equal({
      user: 'alice',
      uid: 'u-1',
      groups: ['dev', 'system:authenticated'],
      extra: { scopes: ['x'] },
      resourceAttributes: {
        verb: 'get',
        group: '',
        version: 'v1',
        resource: 'nodes',
        subresource: 'stats',
        name: 'vk-1',
      },
    });
    expect(decision).to.deep.equal({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding' });
  });

  it('reads a denial', async () => {
    status = { allowed: false, reason: 'no RBAC policy matched' };
    const decision = await createKubeAccessReviewer(transport).review(
      requestAttributes(
        { name: 'bob', uid: undefined, groups: [], extra: undefined },
        'GET',
        '/pods',
        'vk-1',
      )[0]!,
    );
    expect(decision).to.deep.equal({ allowed: false, reason: 'no RBAC policy matched' });
  });

  it('rejects when the API server fails', async () => {
    httpStatus = 500;
    let failure: unknown;
    await createKubeTokenReviewer(transport)
      .review('t')
      .catch((err: unknown) => (failure = err));
    expect(failure).to.be.instanceOf(Error);
  });
});
