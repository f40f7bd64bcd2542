import { expect } from 'chai';
import { repeatedSignalAction } from '../../../src/common/repeated-signal.js';

describe('repeatedSignalAction', () => {
  const cases: Array<[NodeJS.Signals, 'force-exit' | 'ignore']> = [
    ['SIGTERM', 'ignore'],
    ['SIGINT', 'force-exit'],
    ['SIGHUP', 'ignore'],
  ];
  for (const [signal, action] of cases) {
    it(`${signal} during a shutdown: ${action}`, () => {
      expect(repeatedSignalAction(signal)).to.equal(action);
    });
  }
});
