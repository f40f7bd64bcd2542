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
