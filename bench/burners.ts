import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { CleanupStack } from './cleanup-stack.js';
import { NORMAL_NICE, type Priorities } from './priority.js';

/**
 * The busy loop each burner runs: pure shell built-ins, one CPU each. Every
 * 100,000 rounds it checks that the benchmark (its parent at start) is still
 * there, so a benchmark killed with SIGKILL does not leave burners spinning.
 */
export const BURNER_SCRIPT =
  'p=$PPID; while kill -0 "$p" 2>/dev/null; do i=0; while [ "$i" -lt 100000 ]; do i=$((i+1)); done; done';

/** The default number of burners: twice the CPUs, as other users' jobs on a busy login node. */
export function defaultBurnerCount(cpus = os.availableParallelism()): number {
  return 2 * cpus;
}

/**
 * CPU burners: separate `sh` busy loops at NORMAL_NICE, competing with vk-cmd
 * as other users' work does on a login node. `start` registers their removal
 * on the clean-up stack before spawning, so exit, error and Ctrl-C all stop
 * them; `stop` ends them earlier (idempotent).
 */
export class Burners {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly count: number,
    private readonly priorities: Priorities,
  ) {}

  get pids(): number[] {
    return this.children.flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  start(cleanup: CleanupStack): void {
    cleanup.push('CPU burners', () => this.stop());
    for (let i = 0; i < this.count; i++) {
      const child = spawn('sh', ['-c', BURNER_SCRIPT], { stdio: 'ignore' });
      this.children.push(child);
      // Spawned by a benchmark at nice -10, they would inherit it.
      this.priorities.set(`burner ${i + 1}`, child.pid, NORMAL_NICE);
    }
  }

  /** Running burners (not yet exited). */
  alive(): number {
    return this.children.filter((c) => c.exitCode === null && c.signalCode === null).length;
  }

  async stop(): Promise<void> {
    const exits = this.children.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
    );
    await Promise.all(exits);
    this.children.length = 0;
  }
}
