import { expect } from 'chai';
import { constants } from 'node:fs';
import { boundedOutput, outputFileName, trimToBytes } from '../../../../src/runner/probes/command-output.js';
import { commandChildFiles } from '../../../../src/runner/probes/launched-command.js';
import { commandInCgroup } from '../../../../src/runner/process/container-command.js';

describe('exec probe and hook commands: output bounds, files and cgroups (pure)', () => {
  const b = (s: string) => Buffer.from(s);

  it('keeps stdout then stderr within the bound, and stderr alone within it', () => {
    const cases: Array<[string, string, number, string, string]> = [
      // stdout, stderr, max, output, stderr kept
      ['out\n', 'err\n', 10_240, 'out\nerr\n', 'err\n'],
      ['', '', 10_240, '', ''],
      ['abcdef', 'XYZ', 4, 'abcd', 'XYZ'],
      ['abc', 'XYZW', 5, 'abcXY', 'XYZW'],
      ['abc', 'XYZWVU', 5, 'abcXY', 'XYZWV'],
      ['', 'XYZ', 2, 'XY', 'XY'],
    ];
    for (const [out, err, max, output, stderr] of cases) {
      expect(boundedOutput(b(out), b(err), max), `${out}|${err}|${max}`).to.deep.equal({ output, stderr });
    }
  });

  it('the kubelet keeps 10 KiB of 300 KB: exactly the first 10,240 bytes', () => {
    const r = boundedOutput(Buffer.alloc(300_000, 'a'), Buffer.alloc(10, 'b'), 10 * 1024);
    expect(r.output).to.equal('a'.repeat(10 * 1024));
    expect(r.stderr).to.equal('b'.repeat(10));
  });

  it('cuts a file back only when it grew past the bound', () => {
    const cases: Array<[number, number, number | undefined]> = [
      [0, 10_240, undefined],
      [10_240, 10_240, undefined],
      [10_241, 10_240, 10_240],
      [5_000_000_000, 10_240, 10_240],
    ];
    for (const [size, max, to] of cases) expect(trimToBytes(size, max), `${size}`).to.equal(to);
  });

  it('names output files as hidden entries of the container directory, one pair per command', () => {
    expect(outputFileName('stdout', '0a1b')).to.equal('.command-0a1b.stdout');
    expect(outputFileName('stderr', '0a1b')).to.equal('.command-0a1b.stderr');
  });

  it("gives the child /dev/null, the output files by the runner's /proc fds, and cgroup.procs from fd 5", () => {
    const append = constants.O_WRONLY | constants.O_APPEND;
    expect(commandChildFiles(42, 17, 18, [])).to.deep.equal([
      { childFd: 0, flags: constants.O_RDONLY, path: '/dev/null' },
      { childFd: 1, flags: append, path: '/proc/42/fd/17' },
      { childFd: 2, flags: append, path: '/proc/42/fd/18' },
    ]);
    expect(commandChildFiles(42, 17, 18, [30, 31]).slice(3)).to.deep.equal([
      { childFd: 5, flags: constants.O_WRONLY, path: '/proc/42/fd/30' },
      { childFd: 6, flags: constants.O_WRONLY, path: '/proc/42/fd/31' },
    ]);
  });

  it('runs the command itself without cgroups, else a shell that joins them and execs it', () => {
    expect(commandInCgroup('/bin/cat', ['a b'], 0)).to.deep.equal({ file: '/bin/cat', args: ['a b'] });
    const joined = commandInCgroup('/bin/cat', ['a b'], 2);
    expect(joined.file).to.equal('/bin/sh');
    expect(joined.args.slice(2)).to.deep.equal(['vk-cmd-command', '/bin/cat', 'a b']);
    const script = joined.args[1]!;
    expect(script).to.contain(`printf '%s\\n' "$$" >&5 && printf '%s\\n' "$$" >&6`);
    expect(script).to.contain('exec 5>&- 6>&-');
    expect(script.endsWith('exec "$@"')).to.equal(true);
  });
});
