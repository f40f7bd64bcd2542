import { expect } from 'chai';
import { FlagError } from '../../../../src/common/flags/flag-error.js';
import { normaliseArgs } from '../../../../src/common/flags/normalise-args.js';
import { SAMPLE } from './sample-table.js';

describe('normaliseArgs', () => {
  const rewrites: Array<[string[], string[]]> = [
    [[], []],
    // Values: GNU and Go spellings.
    [['--name', 'a'], ['--name=a']],
    [['--name=a'], ['--name=a']],
    [['-name', 'a'], ['--name=a']],
    [['-name=a'], ['--name=a']],
    [['--name='], ['--name=']],
    [['--name', ''], ['--name=']],
    [['--name=a=b'], ['--name=a=b']],
    [['--name', 'two words'], ['--name=two words']],
    [['--name=line\nbreak'], ['--name=line\nbreak']],
    // Dotted names and aliases, one dash or two.
    [['--klog.v=3'], ['--klog.v=3']],
    [['--klog.v', '3'], ['--klog.v=3']],
    [['-klog.v', '3'], ['--klog.v=3']],
    [['-klog.v=3'], ['--klog.v=3']],
    [['-v', '2'], ['--klog.v=2']],
    [['-v=2'], ['--klog.v=2']],
    [['--v', '4'], ['--klog.v=4']],
    [['--v=4'], ['--klog.v=4']],
    // The word after a flag that takes a value is the value, whatever it looks like.
    [['--v', '-1'], ['--klog.v=-1']],
    [['--name', '--port'], ['--name=--port']],
    [['--name', '-'], ['--name=-']],
    // Booleans: bare is true, a value needs "=", Go's and yes/no words.
    [['--debug'], ['--debug']],
    [['-debug'], ['--debug']],
    [['--debug=true'], ['--debug']],
    [['--debug=false'], ['--no-debug']],
    [['-debug=0'], ['--no-debug']],
    [['--debug=T'], ['--debug']],
    [['--debug=No'], ['--no-debug']],
    [
      ['--debug=1', '--debug=f'],
      ['--debug', '--no-debug'],
    ],
    [['-h'], ['--help']],
    [['--h'], ['--help']],
    [['-help'], ['--help']],
    [['-version'], ['--version']],
    // Repeats are kept in order.
    [
      ['--taint', 'a:NoSchedule', '-taint=b:NoExecute'],
      ['--taint=a:NoSchedule', '--taint=b:NoExecute'],
    ],
    [
      ['--port', '1', '--name', 'x', '--debug', '--port=2'],
      ['--port=1', '--name=x', '--debug', '--port=2'],
    ],
  ];
  for (const [argv, want] of rewrites) {
    it(`${JSON.stringify(argv)} -> ${JSON.stringify(want)}`, () => {
      expect(normaliseArgs(argv, SAMPLE)).to.deep.equal(want);
    });
  }

  const refused: Array<[string[], string, string]> = [
    [['positional'], 'positional', 'unexpected argument "positional" (flags start with - or --)'],
    [['--debug', 'false'], 'false', 'unexpected argument "false"'],
    [['--'], '--', 'unexpected argument "--"'],
    [['-'], '-', 'unexpected argument "-"'],
    [['---name=a'], '---name=a', 'unexpected argument "---name=a"'],
    [['--bogus'], '--bogus', 'unknown flag --bogus (see --help)'],
    [['-bogus=1'], '--bogus', 'unknown flag --bogus'],
    [['--no-debug'], '--no-debug', 'unknown flag --no-debug'],
    [['--Name=a'], '--Name', 'unknown flag --Name'],
    [['--name'], '--name', '--name: missing value'],
    [['--port', '1', '-v'], '--klog.v', '--klog.v: missing value'],
    [['--debug=maybe'], '--debug', '--debug: expected true or false, got "maybe"'],
    [['--debug='], '--debug', '--debug: expected true or false, got ""'],
  ];
  for (const [argv, setting, message] of refused) {
    it(`refuses ${JSON.stringify(argv)} naming ${setting}`, () => {
      let caught: unknown;
      try {
        normaliseArgs(argv, SAMPLE);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(FlagError);
      expect((caught as FlagError).setting).to.equal(setting);
      expect((caught as FlagError).message).to.contain(message);
    });
  }
});
