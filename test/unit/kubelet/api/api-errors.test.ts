import { expect } from 'chai';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PreconditionError,
  UnauthenticatedError,
  UnavailableError,
} from '../../../../src/common/errors.js';
import { httpStatusForError } from '../../../../src/kubelet/api/api-errors.js';

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
    ['PreconditionError (no logs yet)', new PreconditionError('x'), 400],
    ['ConflictError', new ConflictError('x'), 500],
    ["UnauthenticatedError (the runner refused the kubelet's token)", new UnauthenticatedError('x'), 500],
    ['gRPC OUT_OF_RANGE', grpcError(status.OUT_OF_RANGE, 'past the end'), 400],
    ['gRPC CANCELLED (a connection gone under the call)', grpcError(status.CANCELLED, 'cancelled'), 503],
  ];
  for (const [title, err, want] of cases) {
    it(`${title} -> ${want}`, () => {
      expect(httpStatusForError(err)).to.equal(want);
    });
  }
});
