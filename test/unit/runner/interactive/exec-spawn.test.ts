import { expect } from 'chai';
import { stdioWithCgroups } from '../../../../src/runner/interactive/exec-spawn.js';

describe('exec-spawn: stdio with cgroup.procs fds', () => {
  it('is unchanged without cgroups', () => {
    expect(stdioWithCgroups(['pipe', 'pipe', 'ignore'], [])).to.deep.equal(['pipe', 'pipe', 'ignore']);
  });
  it('puts the fds from fd 5 on, the slots between ignored', () => {
    expect(stdioWithCgroups(['pipe', 'pipe', 'pipe'], [41, 42])).to.deep.equal([
      'pipe',
      'pipe',
      'pipe',
      'ignore',
      'ignore',
      41,
      42,
    ]);
  });
  it("keeps the PTY helper's control pipe on fd 3", () => {
    expect(stdioWithCgroups(['ignore', 'pipe', 'pipe', 'pipe'], [7])).to.deep.equal([
      'ignore',
      'pipe',
      'pipe',
      'pipe',
      'ignore',
      7,
    ]);
  });
  it('leaves a single stdio mode alone', () => {
    expect(stdioWithCgroups('ignore', [7])).to.equal('ignore');
  });
});
