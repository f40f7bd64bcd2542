import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventLoopDelayTotals } from '../src/common/event-loop-delay.js';
import { REPO_ROOT } from '../test/e2e/support/paths.js';
import { EVENT_LOOP_FILE_ENV } from './probes/event-loop-probe.js';

/** What the probe writes. */
interface ProbeAnswer {
  seq: number;
  pid: number;
  totals: EventLoopDelayTotals;
}

/**
 * The benchmark's side of probes/event-loop-probe.ts: the Node.js flag and
 * environment that load it into the runner, and `read(pid)`, which signals the
 * runner and resolves with the totals it writes back (undefined when it does
 * not answer within `timeoutMs`: no probe, or the process is gone).
 */
export class EventLoopProbeReader {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-bench-eld-'));
  readonly file = path.join(this.dir, 'runner.json');
  private lastSeq = 0;

  /** The `--import` flag for the runner's Node.js; the compiled probe lives beside this file in dist/. */
  static importFlag(): string {
    const probe = path.join(REPO_ROOT, 'dist', 'bench', 'probes', 'event-loop-probe.js');
    return `--import=${pathToFileURL(probe).href}`;
  }

  /** Environment for the process to probe. */
  env(): Record<string, string> {
    return { [EVENT_LOOP_FILE_ENV]: this.file };
  }

  read(pid: number | undefined, timeoutMs = 2000): Promise<EventLoopDelayTotals | undefined> {
    if (pid === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const watcher = watch(this.dir);
      const finish = (value: EventLoopDelayTotals | undefined): void => {
        clearTimeout(timer);
        watcher.close();
        resolve(value);
      };
      const check = (): void => {
        const answer = this.answer();
        if (answer && answer.pid === pid && answer.seq > this.lastSeq) {
          this.lastSeq = answer.seq;
          finish(answer.totals);
        }
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      watcher.on('change', check);
      watcher.on('error', () => finish(undefined));
      try {
        process.kill(pid, 'SIGWINCH');
      } catch {
        finish(undefined);
      }
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private answer(): ProbeAnswer | undefined {
    try {
      return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as ProbeAnswer) : undefined;
    } catch {
      return undefined; // caught between write and rename
    }
  }
}
