import { randomUUID } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type net from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import type { AttachRequest__Output } from '../../generated/vkcmd/runner/v1/AttachRequest.js';
import type { ExecExit } from '../../generated/vkcmd/runner/v1/ExecExit.js';
import type { ExecResponse } from '../../generated/vkcmd/runner/v1/ExecResponse.js';
import { InvalidInputError } from '../../common/errors.js';
import { openAtEnd } from './fifo-io.js';
import { logFile, type LogName } from '../files/container-dir.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import {
  SessionInputMachine,
  type SessionMessage,
  type SessionStart,
  type SessionTarget,
} from './session-input.js';
import type { SessionDeps } from './exec-session.js';
import type { TerminalSizeValue } from '../process/pty-helper.js';

/** A running container as Attach sees it. */
export interface AttachTarget {
  podUid: string;
  podKey: string;
  container: string;
  dir: string;
  logs: ContainerLogs | undefined;
  /** From the container's spec. */
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  /** Opens the stdin FIFO for writing; undefined when the container's stdin is closed for good. */
  openStdin(): Promise<net.Socket | undefined>;
  /** Closes the container's stdin for good (stdinOnce): the container reads an end of input. */
  closeStdinForGood(): void;
  /** Writes a control line (`resize C R`) to the PTY helper; false when it cannot be reached. */
  control(line: string): boolean;
  /** How the container ended, once it has. */
  exit(): ExecExit;
}

export interface AttachDeps extends Omit<SessionDeps, 'runningContainer' | 'runnerEnv' | 'ptyHelper'> {
  attachable(target: SessionTarget): AttachTarget;
}

type AttachCall = grpc.ServerDuplexStream<AttachRequest__Output, ExecResponse>;

const READ_CHUNK_BYTES = 64 * 1024;
/** Output is also looked for this often, in case a file-change notification was missed. */
const SAFETY_POLL_MS = 1_000;

/**
 * One Attach call: the container's output from the current end of its
 * stdout (and stderr without tty) files as they grow, its stdin FIFO fed
 * by the request stream, resizes to its PTY helper. The call ends with
 * `exit` when the container stops. With stdinOnce the container's stdin is
 * closed for good when the first session that had stdin closes it or ends.
 */
export class AttachSession {
  private readonly machine = new SessionInputMachine('attach');
  private readonly id = randomUUID();
  private target: AttachTarget | undefined;
  private start: SessionStart | undefined;
  private over = false;
  private untrack: () => void = () => undefined;
  private unsubscribe: () => void = () => undefined;
  private readonly files = new Map<LogName, { handle: FileHandle; position: number }>();
  private pumping: Promise<void> | undefined;
  private again = false;
  private safety: NodeJS.Timeout | undefined;
  private stdin: Promise<net.Socket | undefined> | undefined;
  private stdinDone = false;

  constructor(
    private readonly call: AttachCall,
    private readonly deps: AttachDeps,
  ) {}

  serve(): void {
    this.untrack = this.deps.track((reason) => this.abort(reason));
    this.call.on('data', (req: AttachRequest__Output) =>
      this.act(this.machine.accept(req as SessionMessage)),
    );
    this.call.on('end', () => this.act(this.machine.end()));
    this.call.on('cancelled', () => this.close());
    this.call.on('error', () => this.close());
  }

  private act(action: ReturnType<SessionInputMachine['accept']>): void {
    if (this.over) return;
    switch (action.kind) {
      case 'start':
        void this.begin(action.start);
        return;
      case 'stdin':
        void this.stdin?.then((s) => s?.write(action.data));
        return;
      case 'stdinClose':
        this.endStdin();
        return;
      case 'resize':
        this.resize(action.size);
        return;
      case 'invalid':
        this.abort(new InvalidInputError(action.message));
        return;
      case 'ignore':
        return;
    }
  }

  private async begin(start: SessionStart): Promise<void> {
    let target: AttachTarget;
    try {
      target = this.deps.attachable(start);
    } catch (err) {
      this.abort(err);
      return;
    }
    this.target = target;
    this.start = start;
    this.deps.registry.add({
      id: this.id,
      podUid: target.podUid,
      container: target.container,
      pgid: undefined,
      kill: () => void this.containerStopped(),
    });
    // Where output starts is taken before anything is written to stdin, and
    // stdin is set up before the first await: input sent right after start
    // must find it, and its answer must not fall before the start position.
    const names: LogName[] = [];
    if (start.stdout) names.push('stdout');
    if (start.stderr && !target.tty) names.push('stderr');
    const opened = names.map((name) => ({ name, file: openAtEnd(logFile(target.dir, name, false)) }));
    if (start.stdin && target.stdin) this.stdin = target.openStdin();
    for (const { name, file } of opened) {
      try {
        const f = await file;
        if (f) this.files.set(name, f);
      } catch (err) {
        this.deps.log.debug({ err, name }, 'Cannot open a log to attach');
      }
    }
    if (this.over) {
      await this.closeFiles();
      return;
    }
    if (start.size && target.tty) this.resize(start.size);
    this.unsubscribe = target.logs?.onGrow(() => this.pump()) ?? (() => undefined);
    this.armSafety();
    this.deps.log.debug({ pod: target.podKey, container: target.container, attach: this.id }, 'Attached');
  }

  private resize(size: TerminalSizeValue): void {
    if (this.target?.tty) this.target.control(`resize ${size.cols} ${size.rows}`);
  }

  private armSafety(): void {
    this.safety = setTimeout(() => {
      this.pump();
      if (!this.over) this.armSafety();
    }, SAFETY_POLL_MS);
  }

  /** Sends what the files gained since the last look; one pass at a time. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        for (const [name, f] of this.files) {
          for (;;) {
            if (this.over) return;
            const buffer = Buffer.alloc(READ_CHUNK_BYTES);
            const { bytesRead } = await f.handle.read(buffer, 0, buffer.length, f.position);
            if (bytesRead === 0) break;
            f.position += bytesRead;
            const data = buffer.subarray(0, bytesRead);
            const message: ExecResponse = name === 'stdout' ? { stdout: data } : { stderr: data };
            if (!this.call.write(message)) await new Promise((r) => this.call.once('drain', r));
          }
        }
      } while (this.again && !this.over);
    })().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private endStdin(): void {
    if (this.stdinDone || !this.stdin) return;
    this.stdinDone = true;
    const target = this.target!;
    void this.stdin.then((s) => {
      s?.end();
      if (target.stdinOnce) target.closeStdinForGood();
    });
  }

  /** The container stopped: the rest of its output, then its exit. */
  private async containerStopped(): Promise<void> {
    if (this.over) return;
    await this.pump();
    if (this.over) return;
    this.over = true;
    const exit = this.target!.exit();
    this.call.write({ exit });
    this.call.end();
    await this.release();
  }

  private abort(err: unknown): void {
    if (this.over) return;
    this.over = true;
    this.call.emit('error', this.deps.fail('Attach', err));
    void this.release();
  }

  private close(): void {
    if (this.over) return;
    this.over = true;
    void this.release();
  }

  private async release(): Promise<void> {
    this.untrack();
    this.unsubscribe();
    if (this.safety) clearTimeout(this.safety);
    this.deps.registry.remove(this.id);
    // The first session with stdin ends: with stdinOnce, so does the container's stdin.
    this.endStdin();
    await this.closeFiles();
  }

  private async closeFiles(): Promise<void> {
    const handles = [...this.files.values()].map((f) => f.handle);
    this.files.clear();
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }
}
