import { expect } from 'chai';
import { parseKubeletConfig } from '../../../../src/kubelet/config/kubelet-config.js';
import { host, parse } from '../support/config-host.js';

const BASE = ['--kubeconfig', '/kc', '--accept-runners-cert', '/cert', '--accept-runners-key', '/key'];

describe('kubelet flags: --accept-runners', () => {
  it('reads the address, the serving pair, tokens and client CA', () => {
    const c = parse([
      '--accept-runners',
      '0.0.0.0:10255',
      ...BASE,
      '--accept-runners-tokens',
      '/token',
      '--accept-runners-client-ca',
      '/ca',
    ]);
    expect(c.acceptRunners).to.deep.equal({
      host: '0.0.0.0',
      port: 10255,
      certFile: '/cert',
      keyFile: '/key',
      tokensFile: '/token',
      clientCaFile: '/ca',
      handshakeTimeoutMs: 10_000,
    });
  });

  it('takes an empty host as every address, IPv6 in brackets, and a handshake timeout', () => {
    expect(
      parse(['--accept-runners', ':10255', ...BASE, '--accept-runners-tokens', '/token']).acceptRunners?.host,
    ).to.equal('0.0.0.0');
    const c = parse([
      '--accept-runners=[::1]:9',
      ...BASE,
      '--accept-runners-client-ca',
      '/ca',
      '--accept-runners-handshake-timeout',
      '2.5',
    ]);
    expect(c.acceptRunners).to.include({ host: '::1', port: 9, handshakeTimeoutMs: 2500 });
  });

  it('is absent from the configuration without --accept-runners', () => {
    expect(parse(['--kubeconfig', '/kc'])).to.not.have.property('acceptRunners');
  });

  const refused: Array<[string[], string]> = [
    [['--accept-runners', 'nohost'], '"nohost" is not HOST:PORT'],
    [
      ['--accept-runners', ':1', '--kubeconfig', '/kc', '--accept-runners-tokens', '/token'],
      'needs a serving certificate and key',
    ],
    [['--accept-runners', ':1', ...BASE], 'needs a way to authenticate runners'],
    [
      ['--accept-runners', ':1', ...BASE, '--accept-runners-tokens', '/missing'],
      'file /missing does not exist',
    ],
    [
      ['--accept-runners', ':1', ...BASE, '--accept-runners-tokens', '/token', '--runner', 'unix:///x.sock'],
      'not used with --accept-runners',
    ],
    [['--kubeconfig', '/kc', '--accept-runners-tokens', '/token'], 'only valid with --accept-runners'],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')}`, () => expect(() => parseKubeletConfig(argv, {}, host)).to.throw(message));
  }
});
