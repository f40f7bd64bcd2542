import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Maps klog-style verbosity (`--v`, `--klog.v`) to pino levels: 0-1 info,
 * 2-3 debug, 4 and above trace. Negative values keep warnings and errors only.
 */
export function levelForVerbosity(verbosity: number): pino.Level {
  if (verbosity < 0) return 'warn';
  if (verbosity <= 1) return 'info';
  if (verbosity <= 3) return 'debug';
  return 'trace';
}

/**
 * A destination that writes each line with one write(2) before the logging
 * call returns: a line that records a state change is on its way to the file
 * or pipe before the change is published, so a `kill -9` cannot take it
 * along. The price is a syscall per line, and a stall while a full pipe's
 * reader catches up (an asynchronous destination buffers instead, and loses
 * the buffer when killed).
 */
export function durableDestination(fd = 2): DestinationStream {
  return pino.destination({ fd, sync: true });
}

const batched = new Set<BatchedDurableDestination>();

/**
 * Writes every line logged so far by batched destinations (see
 * batchedDurableDestination). Call before publishing a change whose log line
 * must not be lost to a `kill -9` once a client has seen the change.
 */
export function flushLogs(): void {
  for (const d of batched) d.flush();
}

/**
 * Lines gathered until the end of the event loop's turn (setImmediate), an
 * explicit flushLogs() (the runner's watch hub calls it before delivering an
 * event) or process exit, then written with one write(2). A logging call
 * costs a string push instead of a syscall, and a reader of the pipe is woken
 * once per turn instead of once per line. What a `kill -9` can take along is
 * the lines of the current turn that nothing was published after.
 */
class BatchedDurableDestination implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;
  private readonly out: DestinationStream & { flushSync?: () => void };

  constructor(fd: number) {
    this.out = pino.destination({ fd, sync: true });
    batched.add(this);
    process.on('exit', () => this.flush());
  }

  write(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.out.write(text);
  }
}

/** A destination that writes the lines of one turn with one write(2) (see BatchedDurableDestination). */
export function batchedDurableDestination(fd = 2): DestinationStream {
  return new BatchedDurableDestination(fd);
}

/** The one root logger of a process; parts take `child({ component })`. */
export function createRootLogger(
  name: string,
  verbosity: number,
  destination: DestinationStream = pino.destination({ fd: 2, sync: false }),
): Logger {
  return pino(
    {
      name,
      level: levelForVerbosity(verbosity),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

export type { Logger };
