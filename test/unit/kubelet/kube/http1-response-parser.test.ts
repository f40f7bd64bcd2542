import { expect } from 'chai';
import { Http1ParseError, Http1ResponseParser } from '../../../../src/kubelet/kube/http1-response-parser.js';

/** Feeds `wire` in pieces of `size` bytes; returns the answers completed and whether end() completed one more. */
function feed(
  wire: string,
  size: number,
  atEnd = false,
): Array<{ status: number; body: string; close: boolean }> {
  const parser = new Http1ResponseParser();
  const bytes = Buffer.from(wire, 'utf8');
  const out: Array<{ status: number; body: string; close: boolean }> = [];
  for (let i = 0; i < bytes.length; i += size) {
    const res = parser.push(bytes.subarray(i, i + size));
    if (res) out.push({ status: res.statusCode, body: res.body.toString('utf8'), close: res.close });
  }
  const last = atEnd ? parser.end() : undefined;
  if (last) out.push({ status: last.statusCode, body: last.body.toString('utf8'), close: last.close });
  return out;
}

describe('Http1ResponseParser', () => {
  const cases: Array<{
    name: string;
    wire: string;
    atEnd?: boolean;
    want: { status: number; body: string; close: boolean };
  }> = [
    {
      name: 'Content-Length',
      wire: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"a":"é b"}',
      want: { status: 200, body: '{"a":"é b"}', close: false },
    },
    {
      name: 'chunked, with an extension and a trailer',
      wire: 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{"a"\r\n3\r\n:1}\r\n0\r\nX-T: 1\r\n\r\n',
      want: { status: 201, body: '{"a":1}', close: false },
    },
    {
      name: 'a 100 Continue before the answer',
      wire: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}',
      want: { status: 404, body: '{}', close: false },
    },
    {
      name: 'Connection: close',
      wire: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      want: { status: 200, body: '', close: true },
    },
    {
      name: 'HTTP/1.0 without keep-alive',
      wire: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
      want: { status: 200, body: 'ok', close: true },
    },
    {
      name: '204 has no body whatever it says',
      wire: 'HTTP/1.1 204 No Content\r\n\r\n',
      want: { status: 204, body: '', close: false },
    },
    {
      name: 'no length: the body runs to the end of the connection',
      wire: 'HTTP/1.1 500 Internal Server Error\r\n\r\nboom',
      atEnd: true,
      want: { status: 500, body: 'boom', close: true },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: one answer, whatever the chunk boundaries`, () => {
      for (const size of [1, 2, 3, 7, 64, 4096]) {
        expect(feed(c.wire, size, c.atEnd), `pieces of ${size}`).to.deep.equal([c.want]);
      }
    });
  }

  it('parses one answer per request on a reused connection', () => {
    const parser = new Http1ResponseParser();
    const one = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na');
    expect(parser.push(one)?.body.toString()).to.equal('a');
    expect(parser.leftover).to.equal(false);
    parser.reset();
    expect(parser.started).to.equal(false);
    expect(
      parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nbX'))?.body.toString(),
    ).to.equal('b');
    expect(parser.leftover, 'a byte nobody asked for').to.equal(true);
  });

  it('says whether any of the answer arrived, and end() completes nothing that has a length', () => {
    const parser = new Http1ResponseParser();
    expect(parser.started).to.equal(false);
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'))).to.equal(undefined);
    expect(parser.started).to.equal(true);
    expect(parser.end()).to.equal(undefined);
  });

  for (const [name, wire] of [
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbad\r\n\r\n'],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a head without end', `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`],
  ] as const) {
    it(`refuses ${name}`, () => {
      expect(() => new Http1ResponseParser().push(Buffer.from(wire))).to.throw(Http1ParseError);
    });
  }
});
