import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import path from 'node:path';

/**
 * A node process whose output goes to `<dir>/<name>.log`, written by the
 * child itself (the file is its stdout and stderr), as deploy/hpc's scripts
 * start the runner and kubelet (`>>file 2>&1`). Nothing is relayed through
 * this process, whose event loop may be busy (the bench's light runners), so
 * the log is never late or cut short and the child never buffers its lines
 * behind a full pipe. Nor does each line the child flushes wake this process:
 * the benchmark runs at nice -10, so such a wake-up preempted the writer
 * (bench/README.md, "Logs written to files"). Each start appends a header.
 */
export function spawnLogged(
  dir: string,
  name: string,
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  flags: readonly string[],
): ChildProcess {
  const file = path.join(dir, `${name}.log`);
  appendFileSync(file, `\n=== ${bin} ${args.join(' ')}\n`);
  const fd = openSync(file, 'a');
  try {
    return spawn(process.execPath, [...flags, bin, ...args], { env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}
