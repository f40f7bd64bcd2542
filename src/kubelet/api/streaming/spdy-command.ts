import type { Duplex } from 'node:stream';
import type { Logger } from '../../../common/logger.js';
import { endWritable, type CommandChannels } from './command-channels.js';
import { errorStreamBytes, type CommandOutcome } from './exec-status.js';
import { SpdySession } from './spdy-session.js';
import type { SpdyStream } from './spdy-stream.js';
import type { CommandStreamOptions } from './stream-request.js';
import type { CommandProtocolVersion } from './stream-protocols.js';
import { TerminalSizeDecoder, type TerminalSize } from './terminal-size.js';

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';
const STREAM_TYPES: ReadonlySet<string> = new Set(['error', 'stdin', 'stdout', 'stderr', 'resize']);

/** How long a finished session waits for the client to close the connection before dropping it. */
const CLIENT_CLOSE_GRACE_MS = 2_000;

/** The number of streams a client opens for `options`: the error stream, one per standard stream, resize with a tty (v3+). Pure. */
export function expectedStreamCount(options: CommandStreamOptions, version: CommandProtocolVersion): number {
  let count = 1;
  if (options.stdin) count++;
  if (options.stdout) count++;
  if (options.stderr) count++;
  if (options.tty && version >= 3) count++;
  return count;
}

export interface SpdyCommandOptions {
  socket: Duplex;
  /** Bytes read past the upgrade request. */
  head: Buffer;
  streams: CommandStreamOptions;
  version: CommandProtocolVersion;
  logger: Logger;
  /** How long the client has to open its streams (the kubelet's stream creation timeout). */
  streamCreationTimeoutMs: number;
}

/**
 * Runs the SPDY side of a remotecommand session on an upgraded socket: waits
 * for the client to open the error stream and one stream per requested
 * standard stream (plus resize with a tty from v3 on), as the kubelet's
 * protocol handlers do, then resolves with the session's channels. Rejects
 * (and drops the connection) when the streams do not all arrive in time or
 * the client leaves first.
 */
export function acceptSpdyCommand(options: SpdyCommandOptions): Promise<CommandChannels> {
  const expected = expectedStreamCount(options.streams, options.version);
  const found = new Map<StreamType, SpdyStream>();
  let received = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error('timed out waiting for client to create streams'));
    }, options.streamCreationTimeoutMs);
    const session = new SpdySession(options.socket, {
      logger: options.logger,
      onStream: (stream) => {
        const type = stream.header('streamtype');
        if (!STREAM_TYPES.has(type) || found.has(type as StreamType)) {
          options.logger.debug({ streamType: type }, 'Unexpected stream type; ignoring the stream');
          stream.resume();
          return true;
        }
        found.set(type as StreamType, stream);
        // Only stdin and resize carry data from the client; anything sent on the others is dropped.
        if (type !== 'stdin' && type !== 'resize') stream.resume();
        stream.on('error', () => undefined);
        if (++received === expected) {
          clearTimeout(timer);
          // After the SYN_REPLY of this stream is written (the session writes it when this returns).
          setImmediate(() => resolve(channels(session, found, options)));
        }
        return true;
      },
    });
    void session.closed.then(() => {
      clearTimeout(timer);
      reject(new Error('the client closed the connection before opening its streams'));
    });
    session.receive(options.head);
  });
}

function channels(
  session: SpdySession,
  found: ReadonlyMap<StreamType, SpdyStream>,
  options: SpdyCommandOptions,
): CommandChannels {
  const stdin = options.streams.stdin ? found.get('stdin') : undefined;
  const resize = found.get('resize');
  const listeners: Array<(size: TerminalSize) => void> = [];
  if (resize) {
    const decoder = new TerminalSizeDecoder();
    resize.on('data', (chunk: Buffer) => {
      for (const size of decoder.push(chunk)) for (const listener of listeners) listener(size);
    });
  }
  // v1 clients expect the server to close stdin at once (the 1.0 kubelet did).
  if (options.version === 1) stdin?.end();
  let finishing = false;
  return {
    stdin,
    stdout: options.streams.stdout ? found.get('stdout') : undefined,
    stderr: options.streams.stderr ? found.get('stderr') : undefined,
    resizable: resize !== undefined,
    onResize: (listener) => void listeners.push(listener),
    finish(outcome: CommandOutcome): void {
      if (finishing) return;
      finishing = true;
      void (async () => {
        await Promise.all([endWritable(found.get('stdout')), endWritable(found.get('stderr'))]);
        const error = found.get('error');
        if (error && !error.destroyed) {
          const bytes = errorStreamBytes(outcome, options.version);
          if (bytes.length > 0) error.write(bytes);
          await endWritable(error);
        }
        for (const type of ['stdin', 'resize'] as const) void endWritable(found.get(type));
        const timer = setTimeout(() => session.destroy(), CLIENT_CLOSE_GRACE_MS);
        timer.unref();
        void session.closed.then(() => clearTimeout(timer));
      })();
    },
    abort: () => session.destroy(),
    closed: session.closed,
  };
}
