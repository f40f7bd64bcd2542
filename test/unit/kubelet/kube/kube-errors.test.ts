import { expect } from 'chai';
import type { ErrorKind } from '../../../../src/common/errors.js';
import { ApiError } from '../../../../src/kubelet/kube/kube-api.js';
import { kindForHttpStatus, kubeErrorKind } from '../../../../src/kubelet/kube/kube-errors.js';

describe('kube errors: API server status -> kind', () => {
  const cases: Array<[number, ErrorKind]> = [
    [0, 'unavailable'],
    [400, 'invalidInput'],
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'notFound'],
    [405, 'internal'],
    [409, 'conflict'],
    [410, 'resourceExhausted'],
    [413, 'invalidInput'],
    [422, 'invalidInput'],
    [429, 'unavailable'],
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [302, 'internal'],
    [418, 'internal'],
  ];
  for (const [status, kind] of cases) {
    it(`${status} -> ${kind}`, () => {
      expect(kindForHttpStatus(status)).to.equal(kind);
      expect(kubeErrorKind(new ApiError(status, 'm'))).to.equal(kind);
    });
  }

  it('anything but an ApiError is internal', () => {
    expect(kubeErrorKind(new Error('boom'))).to.equal('internal');
    expect(kubeErrorKind(undefined)).to.equal('internal');
  });
});
