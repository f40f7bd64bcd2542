import { expect } from 'chai';
import {
  formatResponse,
  headerHasToken,
  parseRequestHead,
} from '../../../../src/kubelet/accept/request-head.js';

const MAX = 8192;
const parse = (text: string) => parseRequestHead(Buffer.from(text, 'latin1'), MAX);

describe('kubelet/accept: parseRequestHead', () => {
  const complete: Array<[string, string, Record<string, string>, string]> = [
    ['GET /x HTTP/1.1\r\nHost: a\r\n\r\n', '/x', { host: 'a' }, ''],
    ['GET /x HTTP/1.0\r\n\r\n', '/x', {}, ''],
    ['GET /x HTTP/1.1\r\nUpgrade:  v1 \r\nupgrade: v2\r\n\r\nrest', '/x', { upgrade: 'v1, v2' }, 'rest'],
    ['GET /x HTTP/1.1\r\nAuthorization: Bearer t:k\r\n\r\n', '/x', { authorization: 'Bearer t:k' }, ''],
  ];
  for (const [text, target, headers, rest] of complete) {
    it(`reads ${JSON.stringify(text)}`, () => {
      const r = parse(text);
      if (r.kind !== 'complete') throw new Error(JSON.stringify(r));
      expect(r.head.target).to.equal(target);
      expect(Object.fromEntries(r.head.headers)).to.deep.equal(headers);
      expect(r.rest.toString()).to.equal(rest);
    });
  }

  const incomplete = ['', 'G', 'GET', 'GET /x HTTP/1.1\r\n', 'GET /x HTTP/1.1\r\nHost: a\r\n'];
  for (const text of incomplete) {
    it(`waits for more after ${JSON.stringify(text)}`, () => expect(parse(text).kind).to.equal('incomplete'));
  }

  const malformed: Array<[string, string]> = [
    ['\x16\x03\x01\x02\x00', 'not an HTTP/1.1 request'],
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'not an HTTP/1.1 request line'],
    ['HELLO\r\n\r\n', 'not an HTTP/1.1 request line'],
    ['get /x HTTP/1.1\r\n\r\n', 'not an HTTP/1.1 request line'],
    ['GET /x HTTP/1.1\r\nno colon\r\n\r\n', 'malformed header line'],
    ['GET /x HTTP/1.1\r\n: empty\r\n\r\n', 'malformed header line'],
    ['GET /x HTTP/1.1\r\nA: b\x01c\r\n\r\n', 'control characters in header A'],
    [`GET /x HTTP/1.1\r\nA: ${'a'.repeat(MAX)}`, `request head over ${MAX} bytes`],
    [`GET /x HTTP/1.1\r\nA: ${'a'.repeat(MAX)}\r\n\r\n`, `request head over ${MAX} bytes`],
  ];
  for (const [text, problem] of malformed) {
    it(`refuses ${JSON.stringify(text.slice(0, 30))}: ${problem}`, () => {
      expect(parse(text)).to.deep.equal({ kind: 'malformed', problem });
    });
  }
});

describe('kubelet/accept: headerHasToken and formatResponse', () => {
  it('finds a token in a comma-separated header in any case', () => {
    expect(headerHasToken('keep-alive, Upgrade', 'upgrade')).to.equal(true);
    expect(headerHasToken('keep-alive', 'upgrade')).to.equal(false);
    expect(headerHasToken(undefined, 'upgrade')).to.equal(false);
  });

  it('writes a refusal with a text body and Connection: close, and a bare 101', () => {
    expect(formatResponse(409, {}, 'taken\n').toString()).to.equal(
      'HTTP/1.1 409 Conflict\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\nConnection: close\r\n\r\ntaken\n',
    );
    expect(formatResponse(101, { Upgrade: 'p' }).toString()).to.equal(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: p\r\n\r\n',
    );
  });
});
