import { mkdtempSync, rmSync, truncateSync, writeFileSync, appendFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { ContainerLogs } from '../../../../src/runner/logs/container-logs.js';
import { LogTimeIndex } from '../../../../src/runner/logs/log-index.js';
import type { LogOptions } from '../../../../src/runner/logs/log-options.js';
import { streamLogs, type LogSink } from '../../../../src/runner/logs/log-reader.js';
import { eventually } from '../../../integration/runner/support/runner-harness.js';

/** ContainerLogs as the reader sees it: the test says when the files grew. */
class FakeLogs {
  listeners = new Set<() => void>();
  indexes = { stdout: new LogTimeIndex(), stderr: new LogTimeIndex() };
  refresh(): void {}
  onGrow(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  grew(): void {
    for (const l of [...this.listeners]) l();
  }
}

describe('log-reader: follow', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options: LogOptions = {
    streams: ['stdout'],
    follow: true,
    tailLines: undefined,
    sinceMs: undefined,
    limitBytes: undefined,
    timestamps: false,
    previous: false,
  };

  function follow(logs: FakeLogs, active: () => boolean): { out: string[]; done: Promise<void> } {
    const out: string[] = [];
    const sink: LogSink = {
      closed: false,
      write: async (data) => {
        out.push(data.toString());
      },
    };
    const current = logs as unknown as ContainerLogs;
    const done = streamLogs(dir, options, sink, current, { logs: current, isActive: active });
    return { out, done };
  }

  it('starts again from the top of a file that was truncated, and reads the end of one moved aside', async () => {
    const file = path.join(dir, 'stdout');
    writeFileSync(file, 'a long first line\n');
    const logs = new FakeLogs();
    let active = true;
    const { out, done } = follow(logs, () => active);
    await eventually(() => out.join('') === 'a long first line\n', 2_000, 'first line');
    truncateSync(file, 0);
    appendFileSync(file, 'two\n');
    logs.grew();
    await eventually(() => out.join('').endsWith('two\n'), 2_000, 'line after truncation');
    // The run ends and its logs are moved to stdout.previous before the follower reads the last line.
    appendFileSync(file, 'last, no newline');
    renameSync(file, path.join(dir, 'stdout.previous'));
    active = false;
    logs.grew();
    await done;
    expect(out.join('')).to.equal('a long first line\ntwo\nlast, no newline');
  });
});
