import { expect } from 'chai';
import { parseConnectTarget } from '../../../../src/runner/connect/connect-target.js';
import { tlsHint } from '../../../../src/runner/connect/kubelet-dialer.js';

describe('runner/connect: parseConnectTarget', () => {
  const good: Array<[string, string, number]> = [
    ['https://kubelet.example.org:10255', 'kubelet.example.org', 10255],
    ['https://kubelet.example.org:10255/', 'kubelet.example.org', 10255],
    ['https://10.0.0.5:443', '10.0.0.5', 443],
    ['https://kubelet', 'kubelet', 443],
    ['https://[::1]:9000', '::1', 9000],
  ];
  for (const [url, host, port] of good) {
    it(url, () => expect(parseConnectTarget(url)).to.deep.equal({ url, host, port }));
  }
  const bad: Array<[string, string]> = [
    ['kubelet:10255', 'use https://HOST:PORT'],
    ['http://kubelet:10255', 'the kubelet is dialled over TLS'],
    ['tcp://kubelet:10255', 'the kubelet is dialled over TLS'],
    ['https://kubelet:10255/path', 'no path or query'],
    ['https://kubelet:10255?x=1', 'no path or query'],
    ['https://user:pw@kubelet:10255', 'put no credential in the URL'],
    ['https://kubelet:99999', 'expected https://HOST:PORT'],
  ];
  for (const [url, message] of bad) {
    it(`refuses ${url}`, () => expect(() => parseConnectTarget(url)).to.throw(message));
  }
});

describe('runner/connect: tlsHint', () => {
  it('points at --connect-ca for an untrusted kubelet certificate', () => {
    const err = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(tlsHint(err)).to.contain('pass its CA with --connect-ca');
  });
  it('says when the certificate does not name the host', () => {
    const err = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(tlsHint(err)).to.contain('does not name the host in --connect');
  });
});
