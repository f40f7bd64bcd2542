import type { Readable, Writable } from 'node:stream';
import type { ByteCall, ByteSink } from '../../runner/runner-streams.js';
import { failureOutcome } from './command-session.js';

/** One forwarded connection as the client sees it. */
export interface ForwardedConnection {
  /** Bytes from the client; ends at its half-close. */
  input: Readable;
  /** Bytes to the client; end() is the half-close toward it. */
  output: Writable;
  /** Tells the client why forwarding failed (the error stream or channel). */
  reportError(message: string): void;
  /** Resolves when the client abandoned the connection (reset, or the whole session gone). */
  abandoned: Promise<void>;
}

/**
 * Copies one forwarded connection both ways through a runner PortForward
 * call, with back-pressure each way; the client's half-close is passed on
 * (TCP half-close toward the pod), the pod's close ends the output. A
 * failed call reports the kubelet's message, `error forwarding port P to pod
 * NAME, uid UID: reason`. Resolves when the connection is done.
 */
export function bridgeForwardedConnection(
  connection: ForwardedConnection,
  target: { name: string; uid: string; port: number },
  start: (sink: ByteSink) => ByteCall,
): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
    };
    const { input, output } = connection;
    const sink: ByteSink = {
      connected: () => undefined,
      data: (chunk) => {
        if (done) return;
        if (!output.write(chunk)) {
          call.pause();
          output.once('drain', () => call.resume());
        }
      },
      end: () => {
        output.end();
        finish();
      },
      error: (err) => {
        if (done) return;
        const reason = failureOutcome(err);
        const message = reason.kind === 'failed' ? reason.message : err.message;
        connection.reportError(
          `error forwarding port ${target.port} to pod ${target.name}, uid ${target.uid}: ${message}`,
        );
        output.end();
        finish();
      },
    };
    const call = start(sink);
    input.on('data', (chunk: Buffer) => {
      if (!call.write(chunk)) {
        input.pause();
        call.onDrain(() => input.resume());
      }
    });
    input.on('end', () => call.closeWrite());
    input.on('error', () => undefined);
    output.on('error', () => undefined);
    void connection.abandoned.then(() => {
      call.cancel();
      finish();
    });
  });
}
