import { expect } from 'chai';
import { recordFromLog, type LogRepair } from '../../../../src/runner/pods/pod-record-log.js';

const line = (name: string): string => JSON.stringify({ version: 1, uid: 'u', name, containers: [] });

describe('pod-record-log: recordFromLog', () => {
  const table: Array<{ name: string; text: string; record: string | undefined; repair?: LogRepair }> = [
    { name: 'one save', text: `${line('a')}\n`, record: 'a', repair: 'none' },
    {
      name: 'the last of several saves',
      text: `${line('a')}\n${line('b')}\n${line('c')}\n`,
      record: 'c',
      repair: 'none',
    },
    { name: "an earlier runner's record (no newline)", text: line('a'), record: 'a', repair: 'terminate' },
    {
      name: 'a save cut just before its newline',
      text: `${line('a')}\n${line('b')}`,
      record: 'b',
      repair: 'terminate',
    },
    {
      name: 'a save cut inside its text: the one before it',
      text: `${line('a')}\n${line('b')}\n${line('c').slice(0, 17)}`,
      record: 'b',
      repair: 'drop-torn-tail',
    },
    { name: 'a save cut after one byte', text: `${line('a')}\n{`, record: 'a', repair: 'drop-torn-tail' },
    { name: 'a first save cut', text: line('a').slice(0, 30), record: undefined },
    { name: 'an empty file', text: '', record: undefined },
  ];
  for (const t of table) {
    it(t.name, () => {
      const found = recordFromLog(t.text);
      expect(found?.record.name).to.equal(t.record);
      expect(found?.repair).to.equal(t.repair);
      if (found) expect(JSON.parse(found.line)).to.deep.equal(found.record);
    });
  }

  it('a complete last line that does not parse throws instead of falling back to an older save', () => {
    expect(() => recordFromLog(`${line('a')}\n{"version":1,"uid":"u"\n`)).to.throw();
    expect(() => recordFromLog(`${line('a')}\n{"version":2,"uid":"u","containers":[]}\n`)).to.throw(
      'unknown format',
    );
    expect(() => recordFromLog(`${line('a')}\n\n`)).to.throw();
  });
});
