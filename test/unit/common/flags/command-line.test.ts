import { expect } from 'chai';
import { parseCommandLine, type Env, type ParsedFlags } from '../../../../src/common/flags/command-line.js';
import { FlagError } from '../../../../src/common/flags/flag-error.js';
import { SAMPLE } from './sample-table.js';

function flags(argv: string[], env: Env = {}, defaults = {}): ParsedFlags<typeof SAMPLE> {
  const parsed = parseCommandLine(SAMPLE, argv, env, defaults);
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  return parsed.flags;
}

describe('parseCommandLine', () => {
  it('gives the table defaults, typed', () => {
    const v = flags([]).values;
    expect(v).to.deep.equal({
      name: undefined,
      port: 10250,
      'klog.v': 0,
      big: 0,
      debug: false,
      grace: 40,
      taint: ['a:NoSchedule'],
      mode: 'Webhook',
      only: 'mock',
      help: false,
      version: false,
    });
    // The types follow the rows: these lines only compile if they do.
    const port: number = v.port;
    const name: string | undefined = v.name;
    const mode: 'Webhook' | 'AlwaysAllow' = v.mode;
    const taints: string[] = v.taint;
    expect([port, name, mode, taints.length]).to.deep.equal([10250, undefined, 'Webhook', 1]);
  });

  const values: Array<{ argv: string[]; env?: Env; defaults?: object; want: object }> = [
    { argv: ['--port', '1'], env: { PORT: '2' }, want: { port: 1 } },
    { argv: [], env: { PORT: '2' }, want: { port: 2 } },
    { argv: [], env: { PORT: ' 2 ' }, want: { port: 2 } },
    { argv: [], env: { PORT: '' }, want: { port: 10250 } },
    { argv: ['--port=1', '--port', '3'], want: { port: 3 } },
    { argv: [], env: { NAME: 'a', OLD_NAME: 'b' }, want: { name: 'a' } },
    { argv: [], env: { NAME: '', OLD_NAME: 'b' }, want: { name: 'b' } },
    { argv: ['--name', 'c'], env: { OLD_NAME: 'b' }, want: { name: 'c' } },
    { argv: ['--name='], env: { NAME: 'b' }, want: { name: '' } },
    { argv: [], defaults: { name: 'host' }, want: { name: 'host' } },
    { argv: [], env: { NAME: 'e' }, defaults: { name: 'host' }, want: { name: 'e' } },
    { argv: [], defaults: { port: '7' }, want: { port: 7 } },
    { argv: ['-v', '-10'], want: { 'klog.v': -10 } },
    { argv: ['--big', '9007199254740991'], want: { big: Number.MAX_SAFE_INTEGER } },
    { argv: ['--debug'], env: { DEBUG: 'false' }, want: { debug: true } },
    { argv: ['--debug=false'], env: { DEBUG: 'true' }, want: { debug: false } },
    { argv: [], env: { DEBUG: 'yes' }, want: { debug: true } },
    { argv: ['--grace', '2.5'], want: { grace: 2.5 } },
    { argv: ['--grace=30s'], want: { grace: 30 } },
    { argv: ['--grace', ' 0.1 '], want: { grace: 0.1 } },
    {
      argv: ['--taint', 'b:NoExecute', '--taint=c:NoExecute'],
      want: { taint: ['b:NoExecute', 'c:NoExecute'] },
    },
    { argv: ['--mode', 'AlwaysAllow'], want: { mode: 'AlwaysAllow' } },
  ];
  for (const t of values) {
    it(`${JSON.stringify(t.argv)} ${JSON.stringify(t.env ?? {})} ${JSON.stringify(t.defaults ?? {})}`, () => {
      expect(flags(t.argv, t.env, t.defaults).values).to.deep.include(t.want);
    });
  }

  it('names where each setting came from', () => {
    const f = flags(['--port', '1'], { NAME: '', OLD_NAME: 'b', DEBUG: '1' });
    expect(f.setting('port')).to.equal('--port');
    expect(f.setting('name')).to.equal('OLD_NAME');
    expect(f.setting('debug')).to.equal('DEBUG');
    expect(f.setting('grace')).to.equal('--grace');
    expect(f.given('port')).to.equal(true);
    expect(f.given('debug')).to.equal(false);
    // Not set anywhere: the variable users of the original would set.
    expect(flags([]).setting('name')).to.equal('NAME');
    expect(flags(['-v', '1']).setting('klog.v')).to.equal('--klog.v');
  });

  it('a default list is a copy', () => {
    flags([]).values.taint.push('x');
    expect(flags([]).values.taint).to.deep.equal(['a:NoSchedule']);
  });

  const refused: Array<{ argv: string[]; env?: Env; defaults?: object; setting: string; message: string }> = [
    { argv: ['--port', 'abc'], setting: '--port', message: '--port: expected an integer, got "abc"' },
    { argv: ['--port', '1.5'], setting: '--port', message: 'expected an integer' },
    { argv: ['--port', ''], setting: '--port', message: 'expected an integer, got ""' },
    { argv: ['--port', '1e3'], setting: '--port', message: 'expected an integer' },
    { argv: ['--port', '99999999999999999999'], setting: '--port', message: 'expected an integer' },
    { argv: ['--port', '70000'], setting: '--port', message: '--port: must be from 0 to 65535, got 70000' },
    { argv: [], env: { PORT: '70000' }, setting: 'PORT', message: 'PORT: must be from 0 to 65535' },
    { argv: ['--big', '-1'], setting: '--big', message: '--big: must be at least 0, got -1' },
    { argv: ['-v', 'x'], setting: '--klog.v', message: '--klog.v: expected an integer, got "x"' },
    { argv: [], env: { DEBUG: 'maybe' }, setting: 'DEBUG', message: 'DEBUG: expected true or false' },
    { argv: ['--grace', 'soon'], setting: '--grace', message: 'expected a number of seconds, got "soon"' },
    { argv: ['--grace', 's'], setting: '--grace', message: 'expected a number of seconds' },
    { argv: ['--grace', '120'], setting: '--grace', message: '--grace: must be from 0.1 to 60 s, got 120' },
    {
      argv: ['--mode', 'RBAC'],
      setting: '--mode',
      message: '--mode: expected Webhook or AlwaysAllow, got "RBAC"',
    },
    { argv: ['--only', 'aws'], setting: '--only', message: '--only: expected mock, got "aws"' },
    { argv: ['--name', 'a b'], setting: '--name', message: '--name: "a b" has a space' },
    { argv: [], env: { OLD_NAME: 'a b' }, setting: 'OLD_NAME', message: 'OLD_NAME: "a b" has a space' },
    { argv: [], defaults: { name: 'a b' }, setting: 'NAME', message: 'NAME: "a b" has a space' },
    { argv: ['--bogus', '--help'], setting: '--bogus', message: 'unknown flag --bogus' },
  ];
  for (const t of refused) {
    it(`refuses ${JSON.stringify(t.argv)} ${JSON.stringify(t.env ?? {})} naming ${t.setting}`, () => {
      let caught: unknown;
      try {
        parseCommandLine(SAMPLE, t.argv, t.env ?? {}, t.defaults);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(FlagError);
      expect((caught as FlagError).setting).to.equal(t.setting);
      expect((caught as FlagError).message).to.contain(t.message);
    });
  }

  it('--help and --version stop before any value is read', () => {
    const badEnv = { PORT: 'abc' };
    expect(parseCommandLine(SAMPLE, ['--port', 'abc', '--help'], badEnv).kind).to.equal('help');
    expect(parseCommandLine(SAMPLE, ['-h'], badEnv).kind).to.equal('help');
    expect(parseCommandLine(SAMPLE, ['--version'], badEnv).kind).to.equal('version');
    expect(parseCommandLine(SAMPLE, ['--version', '--help'], badEnv).kind).to.equal('help');
    expect(parseCommandLine(SAMPLE, ['--help=false'], {}).kind).to.equal('run');
  });
});
