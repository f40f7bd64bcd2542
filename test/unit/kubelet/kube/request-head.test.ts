import { expect } from 'chai';
import {
  assembleHead,
  HeaderBlocks,
  headerLines,
  requestHead,
  type HeaderValues,
} from '../../../../src/kubelet/kube/request-head.js';

describe('requestHead', () => {
  it('writes the request line, Host, the headers in order and keep-alive', () => {
    const head = requestHead('PATCH', '/api/v1/nodes/n1/status', '10.0.0.1:6443', {
      Accept: 'application/json',
      'Impersonate-Group': ['a', 'b'],
      Skipped: undefined,
      'Content-Length': 12,
    });
    expect(head).to.equal(
      'PATCH /api/v1/nodes/n1/status HTTP/1.1\r\nHost: 10.0.0.1:6443\r\nAccept: application/json\r\n' +
        'Impersonate-Group: a\r\nImpersonate-Group: b\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n',
    );
  });

  it('refuses a header name that is not a token and a value with a line break or NUL', () => {
    expect(() => requestHead('GET', '/', 'h', { 'Bad Name': 'x' })).to.throw(TypeError, /valid HTTP token/);
    expect(() => requestHead('GET', '/', 'h', { X: 'a\r\nInjected: 1' })).to.throw(
      TypeError,
      /Invalid character/,
    );
    expect(() => requestHead('GET', '/', 'h', { X: 'a\0' })).to.throw(TypeError, /Invalid character/);
  });

  it('assembleHead with validated lines and a Content-Length writes what requestHead writes', () => {
    const headers = {
      Accept: 'application/json',
      'User-Agent': 'vk-cmd',
      'Content-Type': 'application/json',
    };
    expect(assembleHead('POST', '/x', 'h:1', headerLines(headers), 7)).to.equal(
      requestHead('POST', '/x', 'h:1', { ...headers, 'Content-Length': 7 }),
    );
    expect(assembleHead('GET', '/x', 'h:1', headerLines(headers), undefined)).to.equal(
      requestHead('GET', '/x', 'h:1', headers),
    );
  });
});

describe('HeaderBlocks', () => {
  const counting = (): { blocks: HeaderBlocks; builds: () => number } => {
    let builds = 0;
    const blocks = new HeaderBlocks((authorization, contentType): HeaderValues => {
      builds++;
      return { Accept: 'application/json', Authorization: authorization, 'Content-Type': contentType };
    });
    return { blocks, builds: () => builds };
  };

  it('builds and validates the lines once per (authorization, content type), not per request', () => {
    const { blocks, builds } = counting();
    for (let i = 0; i < 50; i++) {
      blocks.get('Bearer t1', 'application/strategic-merge-patch+json');
      blocks.get('Bearer t1', undefined);
    }
    expect(builds()).to.equal(2);
    expect(blocks.get('Bearer t1', undefined)).to.equal(
      'Accept: application/json\r\nAuthorization: Bearer t1\r\n',
    );
  });

  it('a new credential gets its own lines', () => {
    const { blocks, builds } = counting();
    expect(blocks.get('Bearer t1', undefined)).to.contain('Bearer t1');
    expect(blocks.get('Bearer t2', undefined)).to.contain('Bearer t2');
    expect(blocks.get(undefined, undefined)).to.equal('Accept: application/json\r\n');
    expect(builds()).to.equal(3);
  });

  it('stays bounded while a token rotates, and still answers correctly', () => {
    const { blocks } = counting();
    for (let i = 0; i < 100; i++)
      expect(blocks.get(`Bearer t${i}`, undefined)).to.contain(`Bearer t${i}\r\n`);
  });

  it('throws for an invalid header value and remembers nothing for it', () => {
    const { blocks, builds } = counting();
    expect(() => blocks.get('Bearer a\r\nX: y', undefined)).to.throw(TypeError);
    expect(() => blocks.get('Bearer a\r\nX: y', undefined)).to.throw(TypeError);
    expect(builds()).to.equal(2);
  });
});
