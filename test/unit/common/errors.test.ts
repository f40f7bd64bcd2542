import { expect } from 'chai';
import {
  ConfigError,
  ERROR_KINDS,
  InternalError,
  KindError,
  UnavailableError,
  errnoCode,
  errorKind,
  errorMessage,
  errorOfKind,
} from '../../../src/common/errors.js';

describe('common errors', () => {
  for (const kind of ERROR_KINDS) {
    it(`errorOfKind('${kind}') is a KindError of that kind with a message and a cause`, () => {
      const cause = new Error('underneath');
      const err = errorOfKind(kind, 'what happened', { cause });
      expect(err).to.be.instanceOf(KindError).and.instanceOf(Error);
      expect(err.kind).to.equal(kind);
      expect(errorKind(err)).to.equal(kind);
      expect(err.message).to.equal('what happened');
      expect(err.cause).to.equal(cause);
      expect(err.name).to.match(/^[A-Z][A-Za-z]+Error$/);
    });
  }

  it('every kind has its own class', () => {
    const names = ERROR_KINDS.map((kind) => errorOfKind(kind, 'x').name);
    expect(new Set(names).size).to.equal(ERROR_KINDS.length);
  });

  it('anything without a kind is internal', () => {
    expect(errorKind(new Error('boom'))).to.equal('internal');
    expect(errorKind('boom')).to.equal('internal');
    expect(errorKind(undefined)).to.equal('internal');
    expect(errorKind(new InternalError('x'))).to.equal('internal');
    expect(errorKind(new UnavailableError('x'))).to.equal('unavailable');
  });

  it('a ConfigError may name its setting', () => {
    expect(new ConfigError('--x: bad', { setting: '--x' }).setting).to.equal('--x');
    expect(new ConfigError('--x: bad').setting).to.equal(undefined);
  });

  it('errorMessage and errnoCode read any thrown value', () => {
    expect(errorMessage(new Error('m'))).to.equal('m');
    expect(errorMessage(42)).to.equal('42');
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).to.equal('ENOENT');
    expect(errnoCode(Object.assign(new Error('x'), { code: 14 }))).to.equal(undefined);
    expect(errnoCode(null)).to.equal(undefined);
  });
});
