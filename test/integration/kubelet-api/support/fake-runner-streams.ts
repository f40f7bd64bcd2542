import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AttachRequest__Output } from '../../../../src/generated/vkcmd/runner/v1/AttachRequest.js';
import type { ExecRequest__Output } from '../../../../src/generated/vkcmd/runner/v1/ExecRequest.js';
import type { ExecResponse } from '../../../../src/generated/vkcmd/runner/v1/ExecResponse.js';
import type { ExecStart__Output } from '../../../../src/generated/vkcmd/runner/v1/ExecStart.js';
import type { PortForwardRequest__Output } from '../../../../src/generated/vkcmd/runner/v1/PortForwardRequest.js';
import type { PortForwardResponse } from '../../../../src/generated/vkcmd/runner/v1/PortForwardResponse.js';
import type { RunnerHandlers } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';

/** What the fake runner's streaming calls saw, and how tests steer them. */
export interface StreamingFake {
  execStarts: ExecStart__Output[];
  attachContainers: string[];
  resizes: Array<{ width: number; height: number }>;
  /** Calls the client cancelled (the kubelet's client went away). */
  cancelled: number;
  /** A container named here fails Exec/Attach with this status. */
  errors: Record<string, grpc.status>;
  portForwards: number[];
  /** Resolves on the next cancellation. */
  nextCancel(): Promise<void>;
  /** Resolves once `predicate` holds, checked whenever a call starts, resizes or is cancelled. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

type ExecCall = grpc.ServerDuplexStream<ExecRequest__Output, ExecResponse>;
type AttachCall = grpc.ServerDuplexStream<AttachRequest__Output, ExecResponse>;
type ForwardCall = grpc.ServerDuplexStream<PortForwardRequest__Output, PortForwardResponse>;

/**
 * Exec runs the command as a real local process (no tty: resizes are only
 * recorded); Attach says "attached" and echoes stdin until it closes;
 * PortForward connects to 127.0.0.1:<port>.
 */
export function streamingHandlers(): { fake: StreamingFake; handlers: Partial<RunnerHandlers> } {
  const cancelWaiters: Array<() => void> = [];
  const changes = new EventEmitter();
  const fake: StreamingFake = {
    execStarts: [],
    attachContainers: [],
    resizes: [],
    cancelled: 0,
    errors: {},
    portForwards: [],
    nextCancel: () => new Promise((resolve) => cancelWaiters.push(resolve)),
    waitFor: (predicate, what, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        if (predicate()) return resolve();
        const timer = setTimeout(() => {
          changes.off('change', check);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        const check = (): void => {
          if (!predicate()) return;
          clearTimeout(timer);
          changes.off('change', check);
          resolve();
        };
        changes.on('change', check);
      }),
  };
  const changed = (): void => void changes.emit('change');
  const onCancel = (call: grpc.ServerDuplexStream<unknown, unknown>, stop: () => void): void => {
    call.on('cancelled', () => {
      fake.cancelled++;
      stop();
      changed();
      for (const waiter of cancelWaiters.splice(0)) waiter();
    });
  };
  const fail = (
    call: grpc.ServerDuplexStream<unknown, unknown>,
    code: grpc.status,
    details: string,
  ): void => {
    call.emit('error', { code, details });
  };

  const exec = (call: ExecCall): void => {
    call.once('data', (first: ExecRequest__Output) => {
      const start = first.start;
      if (!start) return fail(call, grpc.status.INVALID_ARGUMENT, 'start must come first');
      fake.execStarts.push(start);
      changed();
      const code = fake.errors[start.container];
      if (code !== undefined) return fail(call, code, `container ${start.container} is not running`);
      const child = spawn(start.command[0]!, start.command.slice(1), { stdio: 'pipe', detached: true });
      child.stdout.on('data', (chunk: Buffer) => call.write({ stdout: chunk }));
      child.stderr.on('data', (chunk: Buffer) => call.write({ [start.tty ? 'stdout' : 'stderr']: chunk }));
      child.on('error', (err) => fail(call, grpc.status.FAILED_PRECONDITION, err.message));
      child.on('close', (exitCode, signal) => {
        call.write({ exit: { exitCode: exitCode ?? 128 + 9, signal: signal ? 9 : 0, message: '' } });
        call.end();
      });
      child.stdin.on('error', () => undefined);
      call.on('data', (req: ExecRequest__Output) => {
        if (req.msg === 'stdin' && req.stdin) child.stdin.write(req.stdin);
        else if (req.msg === 'stdinClose') child.stdin.end();
        else if (req.msg === 'resize' && req.resize) {
          fake.resizes.push({ ...req.resize });
          changed();
        }
      });
      onCancel(call, () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      });
    });
  };

  const attach = (call: AttachCall): void => {
    call.once('data', (first: AttachRequest__Output) => {
      const start = first.start;
      if (!start) return fail(call, grpc.status.INVALID_ARGUMENT, 'start must come first');
      fake.attachContainers.push(start.container);
      const code = fake.errors[start.container];
      if (code !== undefined) return fail(call, code, `container ${start.container} is not running`);
      call.write({ stdout: Buffer.from('attached\n') });
      call.on('data', (req: AttachRequest__Output) => {
        if (req.msg === 'stdin' && req.stdin) call.write({ stdout: req.stdin });
        else if (req.msg === 'resize' && req.resize) fake.resizes.push({ ...req.resize });
        else if (req.msg === 'stdinClose') {
          call.write({ exit: { exitCode: 0, signal: 0, message: '' } });
          call.end();
        }
      });
      onCancel(call, () => undefined);
    });
  };

  const portForward = (call: ForwardCall): void => {
    call.once('data', (first: PortForwardRequest__Output) => {
      const port = first.start?.port ?? 0;
      fake.portForwards.push(port);
      const socket = net.connect(port, '127.0.0.1');
      socket.on('connect', () => call.write({ connected: true }));
      socket.on('data', (chunk: Buffer) => {
        if (!call.write({ data: chunk })) {
          socket.pause();
          call.once('drain', () => socket.resume());
        }
      });
      socket.on('end', () => call.end());
      socket.on('error', (err) => fail(call, grpc.status.UNAVAILABLE, `connection refused: ${err.message}`));
      call.on('data', (req: PortForwardRequest__Output) => {
        if (req.msg === 'data' && req.data) socket.write(req.data);
        else if (req.msg === 'closeWrite') socket.end();
      });
      onCancel(call, () => socket.destroy());
    });
  };

  return {
    fake,
    handlers: {
      Exec: exec,
      Attach: attach,
      PortForward: portForward,
    } as Partial<RunnerHandlers>,
  };
}
