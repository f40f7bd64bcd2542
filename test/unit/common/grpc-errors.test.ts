import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ERROR_KINDS,
  InternalError,
  KindError,
  NotFoundError,
  errorOfKind,
  type ErrorKind,
} from '../../../src/common/errors.js';
import {
  GRPC_CODE_FOR_KIND,
  fromServiceError,
  kindForGrpcCode,
  toServiceError,
} from '../../../src/common/grpc-errors.js';

/** What a grpc-js client receives for a status the server sent. */
function received(status: Partial<grpc.StatusObject>): grpc.ServiceError {
  const code = status.code ?? grpc.status.UNKNOWN;
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${status.details}`), {
    code,
    details: status.details ?? '',
    metadata: new grpc.Metadata(),
  });
}

const allCodes = Object.values(grpc.status).filter((v): v is grpc.status => typeof v === 'number');

describe('gRPC error table', () => {
  describe('round trip: runner error -> status -> kubelet error', () => {
    for (const kind of ERROR_KINDS.filter((k) => k !== 'config')) {
      it(`${kind} -> ${grpc.status[GRPC_CODE_FOR_KIND[kind]]} -> ${kind}`, () => {
        const sent = toServiceError(errorOfKind(kind, 'the reason'));
        expect(sent.code).to.equal(GRPC_CODE_FOR_KIND[kind]);
        const back = fromServiceError(received(sent));
        expect(back.kind).to.equal(kind);
        expect(back.message).to.contain('the reason');
      });
    }

    it('config never crosses the wire as itself: it is a start-up error, INTERNAL if it ever reached a call', () => {
      const sent = toServiceError(errorOfKind('config', '--x: bad'));
      expect(sent).to.deep.equal({ code: grpc.status.INTERNAL, details: 'internal error: --x: bad' });
      expect(fromServiceError(received(sent)).kind).to.equal('internal');
    });
  });

  it('distinct kinds the runner sends get distinct codes', () => {
    const wire = ERROR_KINDS.filter((k) => k !== 'config' && k !== 'internal').map(
      (k) => GRPC_CODE_FOR_KIND[k],
    );
    expect(new Set(wire).size).to.equal(wire.length);
    expect(wire).to.not.include(grpc.status.INTERNAL);
  });

  describe('every status code a call can end with has a kind', () => {
    const want: Partial<Record<grpc.status, ErrorKind>> = {
      [grpc.status.CANCELLED]: 'unavailable',
      [grpc.status.DEADLINE_EXCEEDED]: 'unavailable',
      [grpc.status.UNAVAILABLE]: 'unavailable',
      [grpc.status.OUT_OF_RANGE]: 'invalidInput',
      [grpc.status.ABORTED]: 'conflict',
      [grpc.status.UNKNOWN]: 'internal',
      [grpc.status.UNIMPLEMENTED]: 'internal',
      [grpc.status.DATA_LOSS]: 'internal',
    };
    for (const code of allCodes.filter((c) => c !== grpc.status.OK)) {
      it(`${grpc.status[code]}`, () => {
        const kind = kindForGrpcCode(code);
        expect(ERROR_KINDS).to.include(kind);
        if (want[code]) expect(kind).to.equal(want[code]);
      });
    }
    it('a code outside the table (a broken peer) is internal', () => {
      expect(kindForGrpcCode(99)).to.equal('internal');
      expect(kindForGrpcCode(grpc.status.OK)).to.equal('internal');
    });
  });

  describe('fromServiceError', () => {
    it('keeps the runner message and the gRPC error as cause; "runner unavailable" for unavailable', () => {
      const lost = received({ code: grpc.status.NOT_FOUND, details: 'pod uid u not found' });
      const notFound = fromServiceError(lost);
      expect(notFound).to.be.instanceOf(NotFoundError);
      expect(notFound.message).to.equal('pod uid u not found');
      expect(notFound.cause).to.equal(lost);
      const down = fromServiceError(received({ code: grpc.status.CANCELLED, details: 'Call cancelled' }));
      expect(down.kind).to.equal('unavailable');
      expect(down.message).to.equal('runner unavailable: Call cancelled');
    });

    it('passes errors that already have a kind and wraps anything else as internal', () => {
      const known = new NotFoundError('x');
      expect(fromServiceError(known)).to.equal(known);
      const wrapped = fromServiceError(new TypeError('bug'));
      expect(wrapped).to.be.instanceOf(InternalError).and.instanceOf(KindError);
      expect(wrapped.message).to.equal('bug');
    });
  });

  it('toServiceError: anything without a kind is INTERNAL with its message, never a stack', () => {
    expect(toServiceError(new Error('disk full'))).to.deep.equal({
      code: grpc.status.INTERNAL,
      details: 'internal error: disk full',
    });
    expect(toServiceError('odd')).to.deep.equal({
      code: grpc.status.INTERNAL,
      details: 'internal error: odd',
    });
  });
});
