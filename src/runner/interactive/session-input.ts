import type { TerminalSize__Output } from '../../generated/vkcmd/runner/v1/TerminalSize.js';
import type { TerminalSizeValue } from '../process/pty-helper.js';

/** Where a session reads its pod and container: by uid, or by namespace and name. */
export interface SessionTarget {
  uid: string;
  namespace: string;
  name: string;
  container: string;
}

/** The streams a session asked for, and its terminal. */
export interface SessionStreams {
  stdin: boolean;
  stdout: boolean;
  /** Always false with tty: a terminal merges stderr into stdout, as the kubelet does. */
  stderr: boolean;
  tty: boolean;
  /** The first terminal size; undefined when not given or zero. */
  size: TerminalSizeValue | undefined;
}

export type { TerminalSizeValue };

/** The first message of Exec and Attach, as the state machine needs it. */
export interface SessionStart extends SessionTarget, SessionStreams {
  /** Exec only: argv. */
  command: string[];
}

/** One request message of Exec or Attach (the oneof member that is set). */
export type SessionMessage =
  | { msg: 'start'; start: SessionStartInput }
  | { msg: 'stdin'; stdin: Buffer }
  | { msg: 'stdinClose'; stdinClose: boolean }
  | { msg: 'resize'; resize: TerminalSize__Output | null }
  | { msg: undefined };

/** The start message as it arrives (Exec's has a command; Attach's does not). */
export interface SessionStartInput {
  uid: string;
  namespace: string;
  name: string;
  container: string;
  command?: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  size: TerminalSize__Output | null;
}

/** What the session must do with a message. */
export type SessionAction =
  | { kind: 'start'; start: SessionStart }
  | { kind: 'stdin'; data: Buffer }
  | { kind: 'stdinClose' }
  | { kind: 'resize'; size: TerminalSizeValue }
  | { kind: 'ignore' }
  | { kind: 'invalid'; message: string };

type Phase = 'awaiting-start' | 'open' | 'stdin-closed';

/** Which call the messages belong to: Exec needs a command; Attach has none. */
export type SessionKind = 'exec' | 'attach';

/** Largest terminal dimension accepted (TIOCSWINSZ takes 16 bits). */
const MAX_TERMINAL_CELLS = 0xffff;

function sizeOf(size: TerminalSize__Output | null | undefined): TerminalSizeValue | undefined {
  if (!size || size.width === 0 || size.height === 0) return undefined;
  return {
    cols: Math.min(size.width, MAX_TERMINAL_CELLS),
    rows: Math.min(size.height, MAX_TERMINAL_CELLS),
  };
}

/** Checks a start message; returns the problem, or the start to act on. Pure. */
export function validateStart(kind: SessionKind, input: SessionStartInput): SessionStart | string {
  if (!input.uid && !(input.namespace && input.name)) {
    return 'start: name the pod by uid, or by namespace and name';
  }
  if (!input.container) return 'start.container: must not be empty';
  const command = input.command ?? [];
  if (kind === 'exec') {
    if (command.length === 0) return 'start.command: must not be empty';
    const nul = command.findIndex((arg) => arg.includes('\0'));
    if (nul !== -1) return `start.command[${nul}]: must not contain a NUL byte`;
  }
  if (!input.stdin && !input.stdout && !input.stderr) {
    return 'start: at least one of stdin, stdout and stderr must be set';
  }
  return {
    uid: input.uid,
    namespace: input.namespace,
    name: input.name,
    container: input.container,
    command,
    stdin: input.stdin,
    stdout: input.stdout,
    stderr: input.stderr && !input.tty,
    tty: input.tty,
    size: input.tty ? sizeOf(input.size) : undefined,
  };
}

/**
 * The order of an Exec or Attach request stream: `start` first and once;
 * then stdin bytes (only when the session asked for stdin), `stdin_close`
 * (later stdin is refused; a repeat is ignored) and `resize` (kept only with
 * a tty and a non-zero size). The end of the request stream closes stdin.
 * Pure: each message gives the action to take; an `invalid` action ends
 * the call with INVALID_ARGUMENT.
 */
export class SessionInputMachine {
  private phase: Phase = 'awaiting-start';
  private streams: SessionStreams | undefined;

  constructor(private readonly kind: SessionKind) {}

  get started(): boolean {
    return this.phase !== 'awaiting-start';
  }

  accept(message: SessionMessage): SessionAction {
    if (this.phase === 'awaiting-start') {
      if (message.msg !== 'start') return { kind: 'invalid', message: 'the first message must be start' };
      const start = validateStart(this.kind, message.start);
      if (typeof start === 'string') return { kind: 'invalid', message: start };
      this.phase = 'open';
      this.streams = start;
      return { kind: 'start', start };
    }
    const streams = this.streams!;
    switch (message.msg) {
      case 'start':
        return { kind: 'invalid', message: 'start may only be the first message' };
      case 'stdin':
        if (!streams.stdin) return { kind: 'invalid', message: 'stdin sent, but the session has no stdin' };
        if (this.phase === 'stdin-closed')
          return { kind: 'invalid', message: 'stdin sent after stdin_close' };
        return message.stdin.length === 0 ? { kind: 'ignore' } : { kind: 'stdin', data: message.stdin };
      case 'stdinClose':
        return this.closeStdin();
      case 'resize': {
        const size = sizeOf(message.resize);
        return streams.tty && size ? { kind: 'resize', size } : { kind: 'ignore' };
      }
      default:
        return { kind: 'invalid', message: 'a message must set one of start, stdin, stdin_close or resize' };
    }
  }

  /** The client ended its request stream: no more input. */
  end(): SessionAction {
    if (this.phase === 'awaiting-start')
      return { kind: 'invalid', message: 'the first message must be start' };
    return this.closeStdin();
  }

  private closeStdin(): SessionAction {
    if (this.phase === 'stdin-closed' || !this.streams!.stdin) {
      this.phase = 'stdin-closed';
      return { kind: 'ignore' };
    }
    this.phase = 'stdin-closed';
    return { kind: 'stdinClose' };
  }
}
