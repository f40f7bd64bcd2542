import { expect } from 'chai';
import {
  AUTH_PROVIDER_CACHE_MS,
  authProviderCacheUntilMs,
} from '../../../../src/kubelet/kube/client-node-fallback.js';

const jwt = (payload: object): string =>
  [{ alg: 'RS256' }, payload].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') +
  '.c2ln';

describe('authProviderCacheUntilMs: how long an auth-provider header is reused', () => {
  const nowMs = 1_700_000_000_000;
  const nowS = nowMs / 1000;
  const cases: Array<[string, string, number]> = [
    ['an opaque token: a minute', 'Bearer ya29.opaque', nowMs + AUTH_PROVIDER_CACHE_MS],
    ['a JWT without exp: a minute', `Bearer ${jwt({ sub: 'a' })}`, nowMs + AUTH_PROVIDER_CACHE_MS],
    ['a JWT valid for an hour: a minute', `Bearer ${jwt({ exp: nowS + 3600 })}`, nowMs + 60_000],
    ['a JWT valid for 30 s: until 10 s before exp', `Bearer ${jwt({ exp: nowS + 30 })}`, nowMs + 20_000],
    ['a JWT expiring in 5 s: a second', `Bearer ${jwt({ exp: nowS + 5 })}`, nowMs + 1_000],
    ['an expired JWT: a second', `Bearer ${jwt({ exp: nowS - 100 })}`, nowMs + 1_000],
    ['a JWT with a string exp: a minute', `Bearer ${jwt({ exp: 'soon' })}`, nowMs + 60_000],
    ['a garbled JWT: a minute', 'Bearer a.!!!.c', nowMs + 60_000],
  ];
  for (const [name, authorization, expected] of cases) {
    it(name, () => {
      expect(authProviderCacheUntilMs(authorization, nowMs)).to.equal(expected);
    });
  }
});
