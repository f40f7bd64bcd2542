import { expect } from 'chai';
import { effectiveCapabilities, parseAccounts } from '../../../../src/runner/security/host-security.js';

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
});
