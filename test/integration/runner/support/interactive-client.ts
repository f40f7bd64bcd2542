import type * as grpc from '@grpc/grpc-js';
import type { ExecExit__Output } from '../../../../src/generated/vkcmd/runner/v1/ExecExit.js';
import type { ExecRequest } from '../../../../src/generated/vkcmd/runner/v1/ExecRequest.js';
import type { ExecResponse__Output } from '../../../../src/generated/vkcmd/runner/v1/ExecResponse.js';
import type { ExecStart } from '../../../../src/generated/vkcmd/runner/v1/ExecStart.js';
import type { AttachStart } from '../../../../src/generated/vkcmd/runner/v1/AttachStart.js';
import type { PortForwardResponse__Output } from '../../../../src/generated/vkcmd/runner/v1/PortForwardResponse.js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';
import { eventually } from './processes.js';

/** What an Exec or Attach call produced. */
export interface SessionResult {
  stdout: string;
  stderr: string;
  exit: ExecExit__Output | undefined;
}

/** One Exec or Attach call driven by a test: send input, wait for output, await the end. */
export class SessionClient {
  stdout = '';
  stderr = '';
  exit: ExecExit__Output | undefined;
  error: grpc.ServiceError | undefined;
  ended = false;
  readonly done: Promise<SessionResult>;

  constructor(
    private readonly call: grpc.ClientDuplexStream<ExecRequest, ExecResponse__Output>,
    start: ExecRequest,
  ) {
    this.done = new Promise((resolve, reject) => {
      call.on('data', (m: ExecResponse__Output) => {
        if (m.msg === 'stdout') this.stdout += m.stdout!.toString('utf8');
        else if (m.msg === 'stderr') this.stderr += m.stderr!.toString('utf8');
        else if (m.msg === 'exit') this.exit = m.exit!;
      });
      call.on('error', (err: grpc.ServiceError) => {
        this.error = err;
        this.ended = true;
        reject(err);
      });
      call.on('end', () => {
        this.ended = true;
        resolve({ stdout: this.stdout, stderr: this.stderr, exit: this.exit });
      });
    });
    // A test that only checks the error must not leave an unhandled rejection behind.
    this.done.catch(() => undefined);
    call.write(start);
  }

  send(text: string | Buffer): void {
    this.call.write({ stdin: Buffer.from(text) });
  }

  closeStdin(): void {
    this.call.write({ stdinClose: true });
  }

  resize(width: number, height: number): void {
    this.call.write({ resize: { width, height } });
  }

  /** Ends the request stream (half-close). */
  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }

  /** Waits until stdout matches. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return eventually(
      () => {
        if (this.ended && !pattern.test(this.stdout)) {
          throw new Error(
            `session ended before ${pattern}: ${JSON.stringify(this.stdout)} ${this.error?.message ?? ''}`,
          );
        }
        return this.stdout.match(pattern) ?? undefined;
      },
      timeoutMs,
      `${pattern} in ${JSON.stringify(this.stdout)}`,
      10,
    );
  }
}

export function openExec(client: RunnerClient, start: ExecStart): SessionClient {
  return new SessionClient(client.Exec(), { start: { stdout: true, stderr: true, ...start } });
}

export function openAttach(client: RunnerClient, start: AttachStart): SessionClient {
  const call = client.Attach() as unknown as grpc.ClientDuplexStream<ExecRequest, ExecResponse__Output>;
  return new SessionClient(call, { start: { stdout: true, stderr: true, ...start } } as ExecRequest);
}

/** One PortForward call: its data as text, whether it connected, and its end. */
export class ForwardClient {
  data = '';
  connected = false;
  readonly done: Promise<string>;
  private readonly call: ReturnType<RunnerClient['PortForward']>;

  constructor(
    client: RunnerClient,
    start: { uid?: string; namespace?: string; name?: string; port: number },
  ) {
    this.call = client.PortForward();
    this.done = new Promise((resolve, reject) => {
      this.call.on('data', (m: PortForwardResponse__Output) => {
        if (m.msg === 'connected') this.connected = true;
        else if (m.msg === 'data') this.data += m.data!.toString('utf8');
      });
      this.call.on('error', reject);
      this.call.on('end', () => resolve(this.data));
    });
    this.done.catch(() => undefined);
    this.call.write({ start });
  }

  send(text: string): void {
    this.call.write({ data: Buffer.from(text) });
  }

  closeWrite(): void {
    this.call.write({ closeWrite: true });
  }

  cancel(): void {
    this.call.cancel();
  }
}
