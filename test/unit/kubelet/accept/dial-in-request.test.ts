import { expect } from 'chai';
import {
  DIAL_IN_LEAVE_PATH,
  DIAL_IN_PATH,
  DIAL_IN_PROTOCOL,
  NODE_NAME_HEADER,
} from '../../../../src/common/dial-in.js';
import {
  checkRequestShape,
  presentedCredential,
  type RequestShape,
} from '../../../../src/kubelet/accept/dial-in-request.js';
import type { RequestHead } from '../../../../src/kubelet/accept/request-head.js';

const head = (method: string, target: string, headers: Record<string, string>): RequestHead => ({
  method,
  target,
  version: 'HTTP/1.1',
  headers: new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
});

const upgrade = { Connection: 'Upgrade', Upgrade: DIAL_IN_PROTOCOL };

describe('kubelet/accept: checkRequestShape', () => {
  const cases: Array<[string, RequestHead, RequestShape]> = [
    [
      'an upgrade naming a node joins',
      head('GET', DIAL_IN_PATH, { ...upgrade, [NODE_NAME_HEADER]: 'vk-1' }),
      { kind: 'join', node: 'vk-1' },
    ],
    [
      'upgrade tokens in lists and any case join',
      head('GET', DIAL_IN_PATH, {
        Connection: 'keep-alive, UPGRADE',
        Upgrade: `h2c, ${DIAL_IN_PROTOCOL.toUpperCase()}`,
        [NODE_NAME_HEADER]: 'vk-1',
      }),
      { kind: 'join', node: 'vk-1' },
    ],
    [
      'a POST to the leave path leaves',
      head('POST', DIAL_IN_LEAVE_PATH, { [NODE_NAME_HEADER]: 'vk-2' }),
      { kind: 'leave', node: 'vk-2' },
    ],
    [
      'an unknown path is 404, naming the node asked for',
      head('GET', '/healthz', { ...upgrade, [NODE_NAME_HEADER]: 'vk-1' }),
      {
        kind: 'refuse',
        status: 404,
        reason: `unknown path /healthz; runners dial ${DIAL_IN_PATH}`,
        node: 'vk-1',
      },
    ],
    [
      'a GET to the leave path is 405',
      head('GET', DIAL_IN_LEAVE_PATH, { [NODE_NAME_HEADER]: 'vk-1' }),
      { kind: 'refuse', status: 405, reason: `${DIAL_IN_LEAVE_PATH} takes POST`, node: 'vk-1' },
    ],
    [
      'a join without the upgrade headers is 426',
      head('GET', DIAL_IN_PATH, { [NODE_NAME_HEADER]: 'vk-1' }),
      {
        kind: 'refuse',
        status: 426,
        reason: `expected GET with Connection: Upgrade and Upgrade: ${DIAL_IN_PROTOCOL}`,
        node: 'vk-1',
      },
    ],
    [
      'a join with another protocol is 426',
      head('GET', DIAL_IN_PATH, { Connection: 'Upgrade', Upgrade: 'websocket', [NODE_NAME_HEADER]: 'vk-1' }),
      {
        kind: 'refuse',
        status: 426,
        reason: `expected GET with Connection: Upgrade and Upgrade: ${DIAL_IN_PROTOCOL}`,
        node: 'vk-1',
      },
    ],
    [
      'a POST to the join path is 426',
      head('POST', DIAL_IN_PATH, { ...upgrade, [NODE_NAME_HEADER]: 'vk-1' }),
      {
        kind: 'refuse',
        status: 426,
        reason: `expected GET with Connection: Upgrade and Upgrade: ${DIAL_IN_PROTOCOL}`,
        node: 'vk-1',
      },
    ],
    [
      'no node name is 400',
      head('GET', DIAL_IN_PATH, upgrade),
      {
        kind: 'refuse',
        status: 400,
        reason: `malformed request: ${NODE_NAME_HEADER} must be a node name`,
        node: undefined,
      },
    ],
    [
      'a node name that is not one is 400',
      head('POST', DIAL_IN_LEAVE_PATH, { [NODE_NAME_HEADER]: 'VK_1/..' }),
      {
        kind: 'refuse',
        status: 400,
        reason: `malformed request: ${NODE_NAME_HEADER} must be a node name`,
        node: 'VK_1/..',
      },
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(checkRequestShape(input)).to.deep.equal(expected));
  }
});

describe('kubelet/accept: presentedCredential', () => {
  const cert = { commonName: 'system:node:vk-1', authorized: true, authorizationError: null };
  const cases: Array<[string, string | undefined, Parameters<typeof presentedCredential>[1], object]> = [
    ['nothing', undefined, undefined, {}],
    ['a bearer token, trimmed', 'Bearer  s3cret ', undefined, { bearer: 's3cret' }],
    ['another scheme counts as none', 'Basic dXNlcjpwdw==', undefined, {}],
    [
      'a verified certificate',
      undefined,
      cert,
      { certificate: { commonName: 'system:node:vk-1', verified: true, verifyError: undefined } },
    ],
    [
      'a certificate and a token',
      'Bearer t',
      cert,
      {
        certificate: { commonName: 'system:node:vk-1', verified: true, verifyError: undefined },
        bearer: 't',
      },
    ],
    [
      'an unverified certificate with a string error',
      undefined,
      { commonName: undefined, authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      {
        certificate: {
          commonName: undefined,
          verified: false,
          verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        },
      },
    ],
    [
      'an unverified certificate with an Error carrying a code',
      undefined,
      {
        commonName: 'x',
        authorized: false,
        authorizationError: Object.assign(new Error('expired'), { code: 'CERT_HAS_EXPIRED' }),
      },
      { certificate: { commonName: 'x', verified: false, verifyError: 'CERT_HAS_EXPIRED' } },
    ],
    [
      'an unverified certificate with an Error without a code',
      undefined,
      { commonName: 'x', authorized: false, authorizationError: new Error('odd') },
      { certificate: { commonName: 'x', verified: false, verifyError: 'Error: odd' } },
    ],
  ];
  for (const [name, authorization, peer, expected] of cases) {
    it(name, () => expect(presentedCredential(authorization, peer)).to.deep.equal(expected));
  }
});
