import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  batchedDurableDestination,
  createRootLogger,
  durableDestination,
  flushLogs,
} from '../../../src/common/logger.js';

describe('logger', () => {
  it('a durable destination has written the line when the logging call returns', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-log-'));
    const file = path.join(dir, 'log');
    const fd = openSync(file, 'a');
    try {
      const log = createRootLogger('t', 0, durableDestination(fd));
      log.info({ pod: 'ns/p' }, 'Started container');
      expect(readFileSync(file, 'utf8')).to.contain('"msg":"Started container"');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a batched destination writes the lines of a turn together: at flushLogs(), else at the end of the turn', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-log-'));
    const file = path.join(dir, 'log');
    const fd = openSync(file, 'a');
    try {
      const log = createRootLogger('t', 0, batchedDurableDestination(fd));
      log.info({ pod: 'ns/p' }, 'Started container');
      log.info({ pod: 'ns/q' }, 'Started container');
      expect(readFileSync(file, 'utf8')).to.equal('');
      flushLogs();
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).to.have.length(2);
      log.info({ pod: 'ns/r' }, 'Container terminated');
      await new Promise((resolve) => setImmediate(resolve));
      expect(readFileSync(file, 'utf8')).to.contain('"msg":"Container terminated"');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
