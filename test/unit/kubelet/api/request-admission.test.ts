import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { clientCertificate } from '../../../../src/kubelet/api/request-admission.js';

/** A TLS socket that counts how often its peer certificate is read. */
function tlsSocket(peer: object) {
  const socket = {
    reads: 0,
    authorized: true,
    authorizationError: null,
    getPeerCertificate() {
      socket.reads++;
      return peer;
    },
  };
  return socket;
}
const request = (socket: object) => ({ socket }) as unknown as IncomingMessage;

describe('clientCertificate', () => {
  it('reads the peer certificate once per connection, however many requests it carries', () => {
    const socket = tlsSocket({ subject: { CN: 'system:metrics-server', O: 'system:masters' } });
    for (let i = 0; i < 3; i++) {
      expect(clientCertificate(request(socket))).to.deep.equal({
        presented: true,
        verified: true,
        commonName: 'system:metrics-server',
        organization: 'system:masters',
        verifyError: undefined,
      });
    }
    expect(socket.reads).to.equal(1);
  });

  it('remembers a connection without a certificate as such, and keeps connections apart', () => {
    const bare = tlsSocket({});
    expect(clientCertificate(request(bare))).to.equal(undefined);
    expect(clientCertificate(request(bare))).to.equal(undefined);
    expect(bare.reads).to.equal(1);
    const other = tlsSocket({ subject: { CN: 'admin' } });
    expect(clientCertificate(request(other))?.commonName).to.equal('admin');
  });

  it('is undefined for a connection that is not TLS', () => {
    expect(clientCertificate(request({}))).to.equal(undefined);
  });
});
