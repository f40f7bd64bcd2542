import { expect } from 'chai';
import {
  decideGrant,
  globMatches,
  nodeNameFromCommonName,
  parseTokenGrants,
  type PresentedCredential,
} from '../../../../src/kubelet/accept/runner-grants.js';

const grants = parseTokenGrants(
  ['# comment', '', 'alpha vk-1', 'alpha vk-2', 'beta vk-*', '  gamma   slurm-?.hpc  ', 'delta *'].join('\n'),
);

describe('kubelet/accept: the tokens file', () => {
  it('reads TOKEN GLOB lines, skipping comments and blanks', () => {
    expect(grants.map((g) => [g.glob, g.line])).to.deep.equal([
      ['vk-1', 3],
      ['vk-2', 4],
      ['vk-*', 5],
      ['slurm-?.hpc', 6],
      ['*', 7],
    ]);
    expect(JSON.stringify(grants)).to.not.contain('alpha');
  });

  const bad: Array<[string, string]> = [
    ['onlytoken', 'line 1: expected "TOKEN NODE-NAME-GLOB"'],
    ['a b c', 'line 1: expected "TOKEN NODE-NAME-GLOB"'],
    ['\ntok VK-1', 'line 2: "VK-1" is not a node name glob'],
    ['tok vk/1', 'line 1: "vk/1" is not a node name glob'],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => expect(() => parseTokenGrants(text)).to.throw(message));
  }
});

describe('kubelet/accept: globMatches and nodeNameFromCommonName', () => {
  const cases: Array<[string, string, boolean]> = [
    ['vk-1', 'vk-1', true],
    ['vk-1', 'vk-10', false],
    ['vk-*', 'vk-', true],
    ['vk-*', 'vk-4242-3', true],
    ['vk-*', 'xvk-1', false],
    ['*', 'anything.at.all', true],
    ['slurm-?.hpc', 'slurm-7.hpc', true],
    ['slurm-?.hpc', 'slurm-17.hpc', false],
    ['slurm-?.hpc', 'slurm-7xhpc', false],
  ];
  for (const [glob, name, want] of cases) {
    it(`${glob} ${want ? 'matches' : 'does not match'} ${name}`, () =>
      expect(globMatches(glob, name)).to.equal(want));
  }

  const names: Array<[string | undefined, string | undefined]> = [
    ['system:node:vk-1', 'vk-1'],
    ['vk-1', 'vk-1'],
    ['system:node:', undefined],
    ['system:node:VK', undefined],
    ['Some Runner', undefined],
    [undefined, undefined],
  ];
  for (const [cn, want] of names) {
    it(`CN ${String(cn)} names ${String(want)}`, () => expect(nodeNameFromCommonName(cn)).to.equal(want));
  }
});

describe('kubelet/accept: decideGrant', () => {
  const cert = (
    commonName: string | undefined,
    verified = true,
    verifyError?: string,
  ): PresentedCredential => ({
    certificate: { commonName, verified, verifyError },
  });
  const cases: Array<[string, PresentedCredential, string, ReturnType<typeof decideGrant>]> = [
    [
      'no credential',
      {},
      'vk-1',
      {
        granted: false,
        status: 401,
        reason: 'no credential: send a bearer token (--token-file) or a client certificate',
      },
    ],
    [
      'empty bearer',
      { bearer: '' },
      'vk-1',
      {
        granted: false,
        status: 401,
        reason: 'no credential: send a bearer token (--token-file) or a client certificate',
      },
    ],
    [
      'unknown token',
      { bearer: 'zeta' },
      'vk-1',
      { granted: false, status: 401, reason: 'bearer token not recognised' },
    ],
    [
      'token, exact name',
      { bearer: 'alpha' },
      'vk-2',
      { granted: true, nodeName: 'vk-2', credential: 'token (line 4)' },
    ],
    [
      'token, name not granted',
      { bearer: 'alpha' },
      'vk-3',
      { granted: false, status: 403, reason: 'the bearer token does not grant node "vk-3"' },
    ],
    [
      'token, glob',
      { bearer: 'beta' },
      'vk-77',
      { granted: true, nodeName: 'vk-77', credential: 'token (line 5)' },
    ],
    [
      'token, glob miss',
      { bearer: 'beta' },
      'node-1',
      { granted: false, status: 403, reason: 'the bearer token does not grant node "node-1"' },
    ],
    [
      'certificate system:node',
      cert('system:node:vk-1'),
      'vk-1',
      { granted: true, nodeName: 'vk-1', credential: 'certificate CN=system:node:vk-1' },
    ],
    [
      'certificate plain name',
      cert('vk-1'),
      'vk-1',
      { granted: true, nodeName: 'vk-1', credential: 'certificate CN=vk-1' },
    ],
    [
      'certificate for another node',
      cert('system:node:vk-1'),
      'vk-2',
      { granted: false, status: 403, reason: 'the client certificate grants node "vk-1", not "vk-2"' },
    ],
    [
      'certificate naming no node',
      cert('Runner A'),
      'vk-1',
      {
        granted: false,
        status: 403,
        reason: `the client certificate's CN "Runner A" names no node (expected system:node:<name> or a node name)`,
      },
    ],
    [
      'expired certificate',
      cert('system:node:vk-1', false, 'CERT_HAS_EXPIRED'),
      'vk-1',
      {
        granted: false,
        status: 401,
        reason: 'client certificate refused: the certificate has expired (CERT_HAS_EXPIRED)',
      },
    ],
    [
      'unknown issuer',
      cert('system:node:vk-1', false, 'UNABLE_TO_GET_ISSUER_CERT'),
      'vk-1',
      {
        granted: false,
        status: 401,
        reason:
          'client certificate refused: the certificate is not signed by --accept-runners-client-ca (UNABLE_TO_GET_ISSUER_CERT)',
      },
    ],
    [
      'bad certificate with a good token',
      { ...cert('system:node:vk-1', false, 'CERT_HAS_EXPIRED'), bearer: 'alpha' },
      'vk-1',
      {
        granted: false,
        status: 401,
        reason: 'client certificate refused: the certificate has expired (CERT_HAS_EXPIRED)',
      },
    ],
  ];
  for (const [what, presented, name, want] of cases) {
    it(what, () => expect(decideGrant(presented, name, grants)).to.deep.equal(want));
  }
});
