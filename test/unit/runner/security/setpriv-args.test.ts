import { expect } from 'chai';
import { capabilityMask, DEFAULT_CAPABILITIES } from '../../../../src/runner/security/capabilities.js';
import { setprivArgs } from '../../../../src/runner/security/setpriv-args.js';

describe('setprivArgs', () => {
  const cases: Array<[string, Parameters<typeof setprivArgs>[0], string[]]> = [
    ['nothing to change: no options', { noNewPrivs: false }, []],
    [
      'another user with groups',
      { identity: { uid: 65534, gid: 65534, groups: [65534, 100] }, noNewPrivs: false },
      ['--reuid=65534', '--regid=65534', '--groups=65534,100'],
    ],
    [
      'no supplementary groups',
      { identity: { uid: 1, gid: 2, groups: [] }, noNewPrivs: false },
      ['--reuid=1', '--regid=2', '--clear-groups'],
    ],
    [
      'the default capabilities, lowest number first',
      { capabilities: capabilityMask(DEFAULT_CAPABILITIES).mask, noNewPrivs: false },
      [
        '--inh-caps=-all',
        '--bounding-set=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap',
      ],
    ],
    [
      'a non-root user keeps its added capabilities as ambient (and inheritable) ones',
      {
        identity: { uid: 65534, gid: 65534, groups: [] },
        capabilities: (1n << 0n) | (1n << 13n),
        ambientCapabilities: 1n << 13n,
        noNewPrivs: true,
      },
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=-all,+net_raw',
        '--ambient-caps=-all,+net_raw',
        '--bounding-set=-all,+chown,+net_raw',
        '--no-new-privs',
      ],
    ],
    ['no_new_privs alone', { noNewPrivs: true }, ['--no-new-privs']],
    [
      'no capabilities at all',
      { capabilities: 0n, noNewPrivs: true },
      ['--inh-caps=-all', '--bounding-set=-all', '--no-new-privs'],
    ],
  ];
  for (const [name, launch, expected] of cases) {
    it(name, () => expect(setprivArgs(launch)).to.deep.equal(expected));
  }

  it('the default set is the mask containerd and Docker give (0xa80425fb)', () => {
    expect(capabilityMask(DEFAULT_CAPABILITIES).mask).to.equal(0xa80425fbn);
  });
});
