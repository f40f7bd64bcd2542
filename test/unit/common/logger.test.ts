import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createRootLogger, durableDestination } from '../../../src/common/logger.js';

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
});
