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
