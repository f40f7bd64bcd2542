import type { Readable, Writable } from 'node:stream';
import type { CommandOutcome } from './exec-status.js';
import type { TerminalSize } from './terminal-size.js';

/**
 * The client's side of one exec or attach session, whatever carries it
 * (SPDY streams or WebSocket channels). Streams the client did not ask for
 * are undefined. Writing respects back-pressure (write() returning false,
 * then 'drain'); stdin ends when the client half-closes it.
 */
export interface CommandChannels {
  stdin: Readable | undefined;
  stdout: Writable | undefined;
  stderr: Writable | undefined;
  /** The client asked for a terminal and can send its size. */
  resizable: boolean;
  /** Calls `listener` with each terminal size the client sends. */
  onResize(listener: (size: TerminalSize) => void): void;
  /**
   * Reports how the command ended on the error channel, once stdout and
   * stderr are flushed and half-closed, then ends the session (the client
   * closes the connection; it is dropped if it does not). Idempotent.
   */
  finish(outcome: CommandOutcome): void;
  /** Drops the connection at once. Idempotent. */
  abort(): void;
  /** Resolves when the connection is gone (client left, finished or aborted). */
  readonly closed: Promise<void>;
}

/** Resolves once `stream` has flushed and ended (or at once when there is none). */
export function endWritable(stream: Writable | undefined): Promise<void> {
  if (!stream || stream.writableFinished || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('finish', () => resolve());
    stream.once('close', () => resolve());
    stream.end();
  });
}
