import { expect } from 'chai';
import {
  ANONYMOUS_USER,
  RequestAuthenticator,
  bearerToken,
  userFromClientCertificate,
  type ClientCertificateInfo,
  type TokenReviewResult,
  type TokenReviewer,
} from '../../../../src/kubelet/api/request-authenticator.js';

function cert(overrides: Partial<ClientCertificateInfo>): ClientCertificateInfo {
  return {
    presented: true,
    verified: true,
    commonName: 'kube-apiserver-kubelet-client',
    organization: undefined,
    verifyError: undefined,
    ...overrides,
  };
}

class FakeTokenReviewer implements TokenReviewer {
  calls: string[] = [];
  failNext = false;
  constructor(private readonly valid: Record<string, { name: string; groups: string[] }>) {}
  async review(token: string): Promise<TokenReviewResult> {
    this.calls.push(token);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection refused');
    }
    const user = this.valid[token];
    return user
      ? { authenticated: true, user: { ...user, uid: 'u-1', extra: undefined }, error: undefined }
      : { authenticated: false, user: undefined, error: 'invalid bearer token' };
  }
}

describe('userFromClientCertificate', () => {
  const cases: Array<
    [string, Partial<ClientCertificateInfo>, { name: string; groups: string[] } | undefined]
  > = [
    ['CN is the user', {}, { name: 'kube-apiserver-kubelet-client', groups: ['system:authenticated'] }],
    [
      'each O is a group',
      { commonName: 'admin', organization: ['system:masters', 'ops'] },
      { name: 'admin', groups: ['system:masters', 'ops', 'system:authenticated'] },
    ],
    [
      'a single O',
      { organization: 'system:masters' },
      { name: 'kube-apiserver-kubelet-client', groups: ['system:masters', 'system:authenticated'] },
    ],
    ['the first of several CNs', { commonName: ['a', 'b'] }, { name: 'a', groups: ['system:authenticated'] }],
    ['an unverified certificate names nobody', { verified: false }, undefined],
    ['a certificate without CN names nobody', { commonName: undefined }, undefined],
  ];
  for (const [title, overrides, want] of cases) {
    it(title, () => {
      const user = userFromClientCertificate(cert(overrides));
      if (want === undefined) expect(user).to.equal(undefined);
      else expect({ name: user?.name, groups: user?.groups }).to.deep.equal(want);
    });
  }
});

describe('bearerToken', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['Basic dXNlcjpwdw==', undefined],
    ['Bearer', undefined],
    ['Bearer  abc', undefined],
  ];
  for (const [header, want] of cases) {
    it(`${JSON.stringify(header)} -> ${String(want)}`, () => {
      expect(bearerToken(header)).to.equal(want);
    });
  }
});

describe('RequestAuthenticator', () => {
  let now: number;
  let reviewer: FakeTokenReviewer;
  const make = (anonymousAuth: boolean): RequestAuthenticator =>
    new RequestAuthenticator({ tokenReviewer: reviewer, anonymousAuth, nowMs: () => now });

  beforeEach(() => {
    now = 1_000_000;
    reviewer = new FakeTokenReviewer({
      good: { name: 'system:serviceaccount:kube-system:metrics-server', groups: ['system:serviceaccounts'] },
    });
  });

  const decisions: Array<
    [
      string,
      boolean,
      ClientCertificateInfo | undefined,
      string | undefined,
      string | undefined,
      string | undefined,
    ]
  > = [
    // title, anonymous, cert, authorization header, expected user (undefined = 401), expected method
    ['a verified client certificate', false, cert({}), undefined, 'kube-apiserver-kubelet-client', 'x509'],
    [
      'a certificate wins over a token',
      false,
      cert({}),
      'Bearer good',
      'kube-apiserver-kubelet-client',
      'x509',
    ],
    [
      'a valid token',
      false,
      undefined,
      'Bearer good',
      'system:serviceaccount:kube-system:metrics-server',
      'token',
    ],
    ['an invalid token', false, undefined, 'Bearer bad', undefined, undefined],
    ['an invalid token even with anonymous enabled', true, undefined, 'Bearer bad', undefined, undefined],
    [
      'an unverified certificate',
      false,
      cert({ verified: false, verifyError: 'UNABLE_TO_VERIFY' }),
      undefined,
      undefined,
      undefined,
    ],
    [
      'an unverified certificate even with anonymous enabled',
      true,
      cert({ verified: false }),
      undefined,
      undefined,
      undefined,
    ],
    [
      'an unverified certificate with a valid token',
      false,
      cert({ verified: false }),
      'Bearer good',
      'system:serviceaccount:kube-system:metrics-server',
      'token',
    ],
    ['no credentials, anonymous disabled', false, undefined, undefined, undefined, undefined],
    ['no credentials, anonymous enabled', true, undefined, undefined, 'system:anonymous', 'anonymous'],
    [
      'a non-bearer header counts as no credentials',
      true,
      undefined,
      'Basic abc',
      'system:anonymous',
      'anonymous',
    ],
  ];
  for (const [title, anonymous, clientCert, header, wantUser, wantMethod] of decisions) {
    it(title, async () => {
      const result = await make(anonymous).authenticate({ cert: clientCert, authorization: header });
      if (wantUser === undefined) {
        expect(result.authenticated).to.equal(false);
      } else {
        expect(result).to.include({ authenticated: true, method: wantMethod });
        expect(result.authenticated && result.user.name).to.equal(wantUser);
      }
    });
  }

  it('adds system:authenticated to token users and keeps their groups', async () => {
    const result = await make(false).authenticate({ cert: undefined, authorization: 'Bearer good' });
    expect(result.authenticated && result.user.groups).to.deep.equal([
      'system:serviceaccounts',
      'system:authenticated',
    ]);
  });

  it('gives anonymous callers only system:unauthenticated', async () => {
    const result = await make(true).authenticate({ cert: undefined, authorization: undefined });
    expect(result.authenticated && result.user).to.deep.equal(ANONYMOUS_USER);
  });

  it('caches a valid token for 2 minutes', async () => {
    const auth = make(false);
    await auth.authenticate({ cert: undefined, authorization: 'Bearer good' });
    now += 119_000;
    await auth.authenticate({ cert: undefined, authorization: 'Bearer good' });
    expect(reviewer.calls).to.have.length(1);
    now += 2_000;
    await auth.authenticate({ cert: undefined, authorization: 'Bearer good' });
    expect(reviewer.calls).to.have.length(2);
  });

  it('caches a refused token for 10 seconds', async () => {
    const auth = make(false);
    await auth.authenticate({ cert: undefined, authorization: 'Bearer bad' });
    now += 9_000;
    await auth.authenticate({ cert: undefined, authorization: 'Bearer bad' });
    expect(reviewer.calls).to.have.length(1);
    now += 2_000;
    await auth.authenticate({ cert: undefined, authorization: 'Bearer bad' });
    expect(reviewer.calls).to.have.length(2);
  });

  it('does not cache a review that failed, and refuses the request', async () => {
    const auth = make(true);
    reviewer.failNext = true;
    const first = await auth.authenticate({ cert: undefined, authorization: 'Bearer good' });
    expect(first.authenticated).to.equal(false);
    expect(!first.authenticated && first.reason).to.contain('connection refused');
    const second = await auth.authenticate({ cert: undefined, authorization: 'Bearer good' });
    expect(second.authenticated).to.equal(true);
    expect(reviewer.calls).to.have.length(2);
  });

  it('shares one review between concurrent requests with the same token', async () => {
    const auth = make(false);
    const results = await Promise.all(
      [1, 2, 3].map(() => auth.authenticate({ cert: undefined, authorization: 'Bearer good' })),
    );
    expect(results.every((r) => r.authenticated)).to.equal(true);
    expect(reviewer.calls).to.have.length(1);
  });
});
