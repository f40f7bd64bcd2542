import { expect } from 'chai';
import { helpText } from '../../../../src/common/flags/help-text.js';
import { SAMPLE } from './sample-table.js';

describe('helpText', () => {
  const text = helpText(SAMPLE, { program: 'prog', about: ['Does things.'] });

  it('starts with the usage and what the program does', () => {
    expect(text.split('\n').slice(0, 3)).to.deep.equal(['Usage: prog [flags]', '', 'Does things.']);
  });

  it('shows every flag with its names, value, help, variables and default', () => {
    const lines: Array<[string, string]> = [
      ['  --name VALUE', '      A name. (env NAME or OLD_NAME)'],
      ['  --port N', '      A port. (env PORT; default 10250)'],
      ['  --klog.v, -v N', '      Verbosity. (default 0)'],
      ['  --debug', '      A switch. (env DEBUG; default false)'],
      ['  --grace SECONDS', '      Seconds. (default 40)'],
      ['  --taint KEY:EFFECT (repeatable)', '      Repeatable. (default a:NoSchedule)'],
      ['  --mode Webhook|AlwaysAllow', '      One of two. (default Webhook)'],
      ['  --help, -h', '      Show this help and exit.'],
      ['  --version', '      Show the version and exit.'],
    ];
    for (const [names, help] of lines) expect(text).to.contain(`\n${names}\n${help}\n`);
  });

  it('says flags win over variables only when there are variables', () => {
    expect(text).to.contain('\nFlags override environment variables.\n');
    const noEnv = SAMPLE.map((s) => ({ ...s, env: undefined }));
    expect(helpText(noEnv, { program: 'p', about: [] })).not.to.contain('environment');
  });

  it('has a line pair per flag, in table order', () => {
    const flagLines = text.split('\n').filter((l) => /^ {2}-/.test(l));
    expect(flagLines.map((l) => l.trim().split(/[ ,]/)[0])).to.deep.equal(
      SAMPLE.map((s) => (s.name.length === 1 ? `-${s.name}` : `--${s.name}`)),
    );
  });
});
