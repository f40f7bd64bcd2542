import { expect } from 'chai';
import {
  describeHostSecurity,
  effectiveCapabilities,
  launchAbilities,
  parseAccounts,
  type HostSecurity,
} from '../../../../src/runner/security/host-security.js';

describe('host security probes', () => {
  it("reads CapEff from a process's status text", () => {
    expect(
      effectiveCapabilities('Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n'),
    ).to.equal(0x1fffeffffffn);
    expect(effectiveCapabilities('Name:\tx\n')).to.equal(0n);
  });

  it('primary groups from passwd, memberships from group (by user name)', () => {
    const accounts = parseAccounts(
      'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/:/usr/sbin/nologin\nbroken\n',
      'root:x:0:\nusers:x:100:nobody,alice\nstaff:x:50:nobody\nnogroup:x:65534:\n',
    );
    expect(accounts.primaryGid(65534)).to.equal(65534);
    expect(accounts.primaryGid(4242)).to.equal(undefined);
    expect(accounts.memberGroups(65534)).to.deep.equal([100, 50]);
    expect(accounts.memberGroups(0)).to.deep.equal([]);
    expect(accounts.memberGroups(4242)).to.deep.equal([]);
  });

  it('what a launch can do: root with setpriv everything, another user no_new_privs only, nothing without setpriv', () => {
    expect(launchAbilities(0, true)).to.deep.equal({
      changeIds: true,
      limitCapabilities: true,
      noNewPrivs: true,
      chownFiles: true,
    });
    expect(launchAbilities(1000, true)).to.deep.equal({
      changeIds: false,
      limitCapabilities: false,
      noNewPrivs: true,
      chownFiles: false,
    });
    expect(launchAbilities(0, false)).to.deep.equal({
      changeIds: false,
      limitCapabilities: false,
      noNewPrivs: false,
      chownFiles: false,
    });
  });

  it('one log line says who the runner is and what its launches apply', () => {
    const host = (setpriv: string | undefined): HostSecurity => ({
      runner: { uid: 0, gid: 0, groups: [], capabilities: 0n },
      can: launchAbilities(0, setpriv !== undefined),
      accounts: { primaryGid: () => undefined, memberGroups: () => [] },
      setpriv,
      setprivVersion: setpriv && 'setpriv from util-linux 2.38.1',
    });
    expect(describeHostSecurity(host('/usr/bin/setpriv'))).to.equal(
      'the runner runs as uid 0; setpriv from util-linux 2.38.1 at /usr/bin/setpriv: launches can changeIds, limitCapabilities, noNewPrivs, chownFiles',
    );
    expect(describeHostSecurity(host(undefined))).to.equal(
      'the runner runs as uid 0; setpriv (util-linux) not found: containers run as the runner, with its capabilities',
    );
  });
});
