import type * as grpc from '@grpc/grpc-js';
import { UnavailableError, type KindError } from '../../common/errors.js';
import { fromServiceError } from '../../common/grpc-errors.js';
import type { AttachStart } from '../../generated/vkcmd/runner/v1/AttachStart.js';
import type { ExecResponse__Output } from '../../generated/vkcmd/runner/v1/ExecResponse.js';
import type { ExecStart } from '../../generated/vkcmd/runner/v1/ExecStart.js';
import type { PortForwardResponse__Output } from '../../generated/vkcmd/runner/v1/PortForwardResponse.js';
import type { PortForwardStart } from '../../generated/vkcmd/runner/v1/PortForwardStart.js';
import type { RunnerClient } from '../../generated/vkcmd/runner/v1/Runner.js';

/** How a command ended in the runner. */
export interface ProcessExit {
  exitCode: number;
  /** The signal that killed it (exitCode is then 128 + signal), else 0. */
  signal: number;
  message: string;
}

/**
 * Receives the output of an Exec or Attach call. Called from gRPC callbacks:
 * must not block. After `exit` or `error` nothing else is called.
 */
export interface ProcessSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  exit(exit: ProcessExit): void;
  /**
   * The call failed: NotFoundError (pod or container unknown),
   * PreconditionError (the container does not run), InvalidInputError,
   * UnavailableError (the runner did not answer or went away), InternalError.
   */
  error(err: KindError): void;
}

/** An open Exec or Attach call. */
export interface ProcessCall {
  /** Sends stdin bytes; false means wait for `onDrain` before sending more. */
  writeStdin(chunk: Buffer): boolean;
  /** End of stdin: the command reads EOF. */
  closeStdin(): void;
  resize(size: { width: number; height: number }): void;
  /** Calls `listener` once the call takes stdin again after writeStdin returned false. */
  onDrain(listener: () => void): void;
  /** Stops delivering output until resume() (back-pressure from a slow client). */
  pause(): void;
  resume(): void;
  /** Abandons the call; the runner kills the command's process group. Idempotent. */
  cancel(): void;
}

/** Receives one forwarded connection's bytes. Called from gRPC callbacks: must not block. */
export interface ByteSink {
  connected(): void;
  data(chunk: Buffer): void;
  /** The connection's far side closed (the call ended normally). */
  end(): void;
  /** UnavailableError for a refused connection (with the runner's reason), or another kind. */
  error(err: KindError): void;
}

/** One forwarded TCP connection. */
export interface ByteCall {
  write(chunk: Buffer): boolean;
  /** TCP half-close toward the pod. */
  closeWrite(): void;
  onDrain(listener: () => void): void;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/**
 * The runner's interactive calls, as the kubelet's HTTPS API uses them: one
 * bidirectional gRPC stream per session or forwarded connection, no
 * deadline (a session lasts as long as its client). Cancelling a call is
 * how a departed client stops the runner's side.
 */
export interface RunnerStreams {
  exec(start: ExecStart, sink: ProcessSink): ProcessCall;
  attach(start: AttachStart, sink: ProcessSink): ProcessCall;
  portForward(start: PortForwardStart, sink: ByteSink): ByteCall;
}

type Duplex<Req> = grpc.ClientDuplexStream<Req, ExecResponse__Output>;

function processCall<Req extends object>(
  call: Duplex<Req>,
  sink: ProcessSink,
  message: (kind: 'stdin' | 'stdinClose' | 'resize', value: unknown) => Req,
): ProcessCall {
  let done = false;
  const finish = (): boolean => {
    if (done) return false;
    done = true;
    return true;
  };
  call.on('data', (response: ExecResponse__Output) => {
    if (done) return;
    switch (response.msg) {
      case 'stdout':
        if (response.stdout && response.stdout.length > 0) sink.stdout(response.stdout);
        return;
      case 'stderr':
        if (response.stderr && response.stderr.length > 0) sink.stderr(response.stderr);
        return;
      case 'exit':
        if (finish()) {
          const exit = response.exit;
          sink.exit({
            exitCode: exit?.exitCode ?? 0,
            signal: exit?.signal ?? 0,
            message: exit?.message ?? '',
          });
          call.end();
        }
        return;
    }
  });
  call.on('error', (err: Error) => {
    if (finish()) sink.error(fromServiceError(err));
  });
  call.on('end', () => {
    if (finish()) sink.error(new UnavailableError('the runner ended the call without an exit status'));
  });
  const write = (req: Req): boolean => (done || call.writableEnded ? true : call.write(req));
  return {
    writeStdin: (chunk) => write(message('stdin', chunk)),
    closeStdin: () => void write(message('stdinClose', true)),
    resize: (size) => void write(message('resize', size)),
    onDrain: (listener) => void call.once('drain', listener),
    pause: () => call.pause(),
    resume: () => call.resume(),
    cancel: () => {
      if (!done) call.cancel();
    },
  };
}

/** RunnerStreams over the runner's gRPC client. */
export function createRunnerStreams(client: RunnerClient): RunnerStreams {
  return {
    exec(start, sink) {
      const call = client.exec();
      call.write({ start });
      return processCall(call, sink, (kind, value) => ({ [kind]: value }) as never);
    },
    attach(start, sink) {
      const call = client.attach();
      call.write({ start });
      return processCall(call, sink, (kind, value) => ({ [kind]: value }) as never);
    },
    portForward(start, sink) {
      const call = client.portForward();
      call.write({ start });
      let done = false;
      call.on('data', (response: PortForwardResponse__Output) => {
        if (done) return;
        if (response.msg === 'connected') sink.connected();
        else if (response.msg === 'data' && response.data && response.data.length > 0)
          sink.data(response.data);
      });
      call.on('error', (err: Error) => {
        if (done) return;
        done = true;
        sink.error(fromServiceError(err));
      });
      call.on('end', () => {
        if (done) return;
        done = true;
        sink.end();
      });
      return {
        write: (chunk) => (done || call.writableEnded ? true : call.write({ data: chunk })),
        closeWrite: () => {
          if (done || call.writableEnded) return;
          call.write({ closeWrite: true });
          call.end();
        },
        onDrain: (listener) => void call.once('drain', listener),
        pause: () => call.pause(),
        resume: () => call.resume(),
        cancel: () => {
          if (done) return;
          done = true;
          call.cancel();
        },
      };
    },
  };
}
