import { expect } from 'chai';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  InvalidInputError,
  NotFoundError,
  httpStatusForError,
} from '../../../../src/kubelet/api/api-errors.js';
import { UnavailableError } from '../../../../src/common/errors.js';

function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

describe('httpStatusForError', () => {
  const cases: Array<[string, unknown, number]> = [
    ['InvalidInputError', new InvalidInputError('x'), 400],
    ['NotFoundError', new NotFoundError('x'), 404],
    ['UnavailableError', new UnavailableError('x'), 503],
    ['a plain Error', new Error('boom'), 500],
    ['a non-Error value', 'boom', 500],
    ['gRPC NOT_FOUND', grpcError(status.NOT_FOUND, 'no such container'), 404],
    ['gRPC INVALID_ARGUMENT', grpcError(status.INVALID_ARGUMENT, 'bad'), 400],
    ['gRPC FAILED_PRECONDITION (no previous run)', grpcError(status.FAILED_PRECONDITION, 'no previous'), 400],
    ['gRPC UNAVAILABLE', grpcError(status.UNAVAILABLE, 'connect failed'), 503],
    ['gRPC DEADLINE_EXCEEDED', grpcError(status.DEADLINE_EXCEEDED, 'slow'), 503],
    ['gRPC INTERNAL', grpcError(status.INTERNAL, 'oops'), 500],
    ['gRPC UNKNOWN', grpcError(status.UNKNOWN, 'oops'), 500],
  ];
  for (const [title, err, want] of cases) {
    it(`${title} -> ${want}`, () => {
      expect(httpStatusForError(err)).to.equal(want);
    });
  }
});
