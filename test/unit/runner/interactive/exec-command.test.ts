import { expect } from 'chai';
import { cachedCommandEnv, EXEC_ID_VAR, planExec } from '../../../../src/runner/interactive/exec-command.js';
import { exitOf } from '../../../../src/runner/interactive/exec-spawn.js';
import { ptyHelperArgs } from '../../../../src/runner/process/pty-helper.js';
import { dialError, validatePortForwardStart } from '../../../../src/runner/interactive/port-forward.js';

type Check = 'ok' | 'ENOENT' | 'EACCES' | 'EISDIR';
const files =
  (map: Record<string, Check>) =>
  (file: string): Check =>
    map[file] ?? 'ENOENT';
const context = { cwd: '/pod/containers/c1', podEnv: [{ name: 'A', value: 'pod' }] };

describe('interactive/exec-command', () => {
  it("a probe's environment is built once per context and tag, and again when the context's env is replaced", () => {
    const ctx = { cwd: '/c', podEnv: [{ name: 'A', value: '1' }] };
    const runnerEnv = { PATH: '/bin' };
    const probe = cachedCommandEnv(ctx, runnerEnv, 'probe');
    expect(probe).to.deep.equal({ PATH: '/bin', A: '1', [EXEC_ID_VAR]: 'probe' });
    expect(cachedCommandEnv(ctx, runnerEnv, 'probe')).to.equal(probe);
    expect(cachedCommandEnv(ctx, runnerEnv, 'hook')).to.deep.include({ [EXEC_ID_VAR]: 'hook' });
    expect(cachedCommandEnv({ ...ctx }, runnerEnv, 'probe')).not.to.equal(probe);
    const replaced = Object.assign(ctx, { podEnv: [{ name: 'A', value: '2' }] });
    expect(cachedCommandEnv(replaced, runnerEnv, 'probe')).to.deep.include({ A: '2' });
  });

  it("uses the container's env over the runner's, and tags the session", () => {
    const plan = planExec(
      ['ls', '-l'],
      context,
      { A: 'runner', PATH: '/bin', HOME: '/h' },
      'id-1',
      files({ '/bin/ls': 'ok' }),
    );
    expect(plan).to.deep.equal({
      ok: true,
      file: '/bin/ls',
      argv0: 'ls',
      args: ['-l'],
      cwd: '/pod/containers/c1',
      env: { A: 'pod', PATH: '/bin', HOME: '/h', [EXEC_ID_VAR]: 'id-1' },
    });
  });

  const failures: Array<{ argv0: string; check: Record<string, Check>; exitCode: number; message: string }> =
    [
      {
        argv0: 'x',
        check: {},
        exitCode: 127,
        message: 'exec: "x": executable file not found in $PATH',
      },
      {
        argv0: './x',
        check: {},
        exitCode: 127,
        message: 'exec: "./x": stat /pod/containers/c1/x: no such file or directory',
      },
      {
        argv0: '/etc/passwd',
        check: { '/etc/passwd': 'EACCES' },
        exitCode: 126,
        message: 'exec: "/etc/passwd": permission denied',
      },
      {
        argv0: '/tmp',
        check: { '/tmp': 'EISDIR' },
        exitCode: 126,
        message: 'exec: "/tmp": permission denied',
      },
      { argv0: 'x', check: { '/bin/x': 'EACCES' }, exitCode: 126, message: 'exec: "x": permission denied' },
    ];
  for (const f of failures) {
    it(`reports ${f.message} as ${f.exitCode}`, () => {
      expect(planExec([f.argv0], context, { PATH: '/bin' }, 'id', files(f.check))).to.deep.equal({
        ok: false,
        exitCode: f.exitCode,
        message: f.message,
      });
    });
  }

  it('maps exits and signals as a shell does', () => {
    expect(exitOf(3, null)).to.deep.equal({ exitCode: 3, signal: 0, message: '' });
    expect(exitOf(null, 'SIGKILL')).to.deep.equal({
      exitCode: 137,
      signal: 9,
      message: 'killed by signal 9 (SIGKILL)',
    });
    expect(exitOf(null, 'SIGTERM')).to.include({ exitCode: 143, signal: 15 });
  });

  it('builds the PTY helper command line', () => {
    expect(
      ptyHelperArgs({
        size: { cols: 80, rows: 24 },
        control: { fd: 3 },
        stdin: 'none',
        argv0: 'sh',
        argv: ['/bin/sh', '-c', 'x'],
      }),
    ).to.deep.equal([
      '--size',
      '80x24',
      '--control-fd',
      '3',
      '--no-stdin',
      '--argv0',
      'sh',
      '--',
      '/bin/sh',
      '-c',
      'x',
    ]);
    expect(
      ptyHelperArgs({
        size: undefined,
        control: { fifo: '/d/.tty' },
        stdin: { fifo: '/d/stdin' },
        argv0: undefined,
        argv: ['/bin/sh'],
      }),
    ).to.deep.equal(['--control-fifo', '/d/.tty', '--stdin-fifo', '/d/stdin', '--', '/bin/sh']);
  });

  it('checks port-forward starts and words dial errors as Go does', () => {
    const req = (port: number) => ({
      msg: 'start' as const,
      start: { uid: 'u', namespace: '', name: '', port },
    });
    expect(validatePortForwardStart(req(8080))).to.deep.equal({ port: 8080 });
    expect(validatePortForwardStart(req(0))).to.equal('start.port: 0 must be from 1 to 65535');
    expect(validatePortForwardStart({ msg: 'data', data: Buffer.from('x') })).to.equal(
      'the first message must be start',
    );
    const refused = Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    expect(dialError('127.0.0.1', 80, refused)).to.equal(
      'dial tcp 127.0.0.1:80: connect: connection refused',
    );
    expect(dialError('::1', 80, refused)).to.equal('dial tcp [::1]:80: connect: connection refused');
  });
});
