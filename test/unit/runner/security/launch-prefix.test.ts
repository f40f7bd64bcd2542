import { expect } from 'chai';
import { launchPrefix, withLaunchPrefix } from '../../../../src/runner/security/launch-prefix.js';

describe('launchPrefix and withLaunchPrefix', () => {
  it('setpriv, its options and -- when something changes', () => {
    expect(
      launchPrefix('/usr/bin/setpriv', {
        identity: { uid: 65534, gid: 65534, groups: [65534] },
        noNewPrivs: true,
      }),
    ).to.deep.equal([
      '/usr/bin/setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--groups=65534',
      '--no-new-privs',
      '--',
    ]);
  });

  it('no prefix when nothing changes or setpriv is absent', () => {
    expect(launchPrefix('/usr/bin/setpriv', { noNewPrivs: false })).to.equal(undefined);
    expect(launchPrefix(undefined, { noNewPrivs: true })).to.equal(undefined);
  });

  it('the prefix program is spawned and execs the resolved program with its arguments', () => {
    const target = { file: '/usr/bin/id', argv0: 'id', args: ['-u'] };
    expect(withLaunchPrefix(['/usr/bin/setpriv', '--no-new-privs', '--'], target)).to.deep.equal({
      file: '/usr/bin/setpriv',
      argv0: '/usr/bin/setpriv',
      args: ['--no-new-privs', '--', '/usr/bin/id', '-u'],
    });
    expect(withLaunchPrefix(undefined, target)).to.equal(target);
    expect(withLaunchPrefix([], target)).to.equal(target);
  });
});
