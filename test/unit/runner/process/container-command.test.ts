import { expect } from 'chai';
import {
  containerSpawnCommand,
  stdinWrapperScript,
  WRAPPER_SCRIPT,
  WRAPPER_SHELL,
} from '../../../../src/runner/process/container-command.js';

function script(command: ReturnType<typeof containerSpawnCommand>): string {
  if ('error' in command) throw new Error(command.error);
  return command.args[command.args.indexOf('-c') + 1]!;
}

describe('process/container-command', () => {
  const args = ['/bin/prog', 'a'];

  it('runs the plain wrapper, or the stdin wrapper for a container with stdin', () => {
    const plain = containerSpawnCommand({}, args, undefined);
    expect(plain).to.deep.include({ file: WRAPPER_SHELL });
    expect(script(plain)).to.equal(WRAPPER_SCRIPT);
    expect(script(containerSpawnCommand({ stdin: true }, args, undefined))).to.equal(stdinWrapperScript());
  });

  it('joins the cgroups first, before the stdin holder starts, with or without a tty', () => {
    for (const plan of [{}, { stdin: true }, { tty: true }, { stdin: true, tty: true }]) {
      const s = script(containerSpawnCommand(plan, args, '/x/vk-cmd-pty', 2));
      const lines = s.split('\n');
      expect(lines[0], JSON.stringify(plan)).to.equal('d=$1; shift');
      expect(lines[1]).to.contain('>&5').and.contain('>&6');
      expect(lines[2]).to.equal('exec 5>&- 6>&-');
      expect(s.indexOf('sleep 2147483647')).to.satisfy((i: number) => i === -1 || i > s.indexOf('>&5'));
    }
    expect(script(containerSpawnCommand({}, args, undefined, 0))).to.not.contain('>&5');
  });

  it('leads a tty container with the PTY helper, and refuses one without the helper', () => {
    const tty = containerSpawnCommand({ tty: true, stdin: true }, args, '/x/vk-cmd-pty');
    expect(tty).to.deep.include({ file: '/x/vk-cmd-pty' });
    if ('error' in tty) throw new Error(tty.error);
    expect(tty.args).to.include('--stdin-fifo');
    expect(tty.args.slice(tty.args.indexOf('--') + 1, tty.args.indexOf('--') + 2)).to.deep.equal([
      WRAPPER_SHELL,
    ]);
    expect(containerSpawnCommand({ tty: true }, args, undefined))
      .to.have.property('error')
      .that.contains('vk-cmd-pty');
  });
});
