import { expect } from 'chai';
import { parseKubeletConfig } from '../../../../src/kubelet/config/kubelet-config.js';
import { host, parse } from '../support/config-host.js';

const ACCEPT = [
  '--kubeconfig',
  '/kc',
  '--accept-runners',
  ':10255',
  '--accept-runners-cert',
  '/cert',
  '--accept-runners-key',
  '/key',
  '--accept-runners-tokens',
  '/token',
];

describe('kubelet flags: --fleet and --node-port-range', () => {
  it('reads the port range of the nodes', () => {
    expect(parse([...ACCEPT, '--fleet', '--node-port-range', '10300-10399']).fleet).to.deep.equal({
      portFrom: 10300,
      portTo: 10399,
    });
    expect(parse([...ACCEPT, '--fleet=true', '--node-port-range=7-7']).fleet).to.deep.equal({
      portFrom: 7,
      portTo: 7,
    });
  });

  it('is absent without --fleet (a fleet of one, --nodename)', () => {
    expect(parse(ACCEPT)).to.not.have.property('fleet');
  });

  const refused: Array<[string[], string]> = [
    [['--kubeconfig', '/kc', '--fleet', '--node-port-range', '1-2'], 'needs --accept-runners'],
    [[...ACCEPT, '--fleet'], 'needs --node-port-range FROM-TO'],
    [[...ACCEPT, '--node-port-range', '1-2'], 'only valid with --fleet'],
    [[...ACCEPT, '--fleet', '--node-port-range', '20-10'], '"20-10" is not FROM-TO'],
    [[...ACCEPT, '--fleet', '--node-port-range', '0-10'], '"0-10" is not FROM-TO'],
    [[...ACCEPT, '--fleet', '--node-port-range', '10-70000'], '"10-70000" is not FROM-TO'],
    [[...ACCEPT, '--fleet', '--node-port-range', '10300'], '"10300" is not FROM-TO'],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.slice(ACCEPT.length).join(' ') || argv.join(' ')}`, () =>
      expect(() => parseKubeletConfig(argv, {}, host)).to.throw(message));
  }
});
