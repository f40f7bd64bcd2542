import { expect } from 'chai';
import {
  SessionInputMachine,
  validateStart,
  type SessionAction,
  type SessionMessage,
  type SessionStartInput,
} from '../../../../src/runner/interactive/session-input.js';

const start = (over: Partial<SessionStartInput> = {}): SessionMessage => ({
  msg: 'start',
  start: {
    uid: 'u1',
    namespace: '',
    name: '',
    container: 'c1',
    command: ['sh'],
    stdin: true,
    stdout: true,
    stderr: true,
    tty: false,
    size: null,
    ...over,
  },
});
const stdin = (text: string): SessionMessage => ({ msg: 'stdin', stdin: Buffer.from(text) });
const close: SessionMessage = { msg: 'stdinClose', stdinClose: true };
const resize = (width: number, height: number): SessionMessage => ({
  msg: 'resize',
  resize: { width, height },
});

function kinds(machine: SessionInputMachine, messages: Array<SessionMessage | 'end'>): string[] {
  return messages.map((m) => {
    const a: SessionAction = m === 'end' ? machine.end() : machine.accept(m);
    return a.kind === 'invalid' ? `invalid: ${a.message}` : a.kind;
  });
}

describe('interactive/session-input', () => {
  describe('SessionInputMachine', () => {
    const cases: Array<{ name: string; messages: Array<SessionMessage | 'end'>; want: string[] }> = [
      {
        name: 'start, stdin, close',
        messages: [start(), stdin('a'), stdin('b'), close],
        want: ['start', 'stdin', 'stdin', 'stdinClose'],
      },
      {
        name: 'anything before start is refused',
        messages: [stdin('a')],
        want: ['invalid: the first message must be start'],
      },
      {
        name: 'an end before start is refused',
        messages: ['end'],
        want: ['invalid: the first message must be start'],
      },
      {
        name: 'a second start is refused',
        messages: [start(), start()],
        want: ['start', 'invalid: start may only be the first message'],
      },
      {
        name: 'stdin after close is refused; a second close is ignored',
        messages: [start(), close, close, stdin('x')],
        want: ['start', 'stdinClose', 'ignore', 'invalid: stdin sent after stdin_close'],
      },
      {
        name: 'stdin without a stdin session is refused',
        messages: [start({ stdin: false }), stdin('x')],
        want: ['start', 'invalid: stdin sent, but the session has no stdin'],
      },
      {
        name: 'the end of the request stream closes stdin once',
        messages: [start(), 'end', 'end'],
        want: ['start', 'stdinClose', 'ignore'],
      },
      {
        name: 'resize is kept with a tty only, and never with a zero size',
        messages: [start({ tty: true }), resize(80, 24), resize(0, 24)],
        want: ['start', 'resize', 'ignore'],
      },
      {
        name: 'resize without a tty is ignored',
        messages: [start(), resize(80, 24)],
        want: ['start', 'ignore'],
      },
      { name: 'empty stdin is ignored', messages: [start(), stdin('')], want: ['start', 'ignore'] },
      {
        name: 'a message with nothing set is refused',
        messages: [start(), { msg: undefined }],
        want: ['start', 'invalid: a message must set one of start, stdin, stdin_close or resize'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(kinds(new SessionInputMachine('exec'), c.messages)).to.deep.equal(c.want);
      });
    }

    it('reports whether it started', () => {
      const m = new SessionInputMachine('attach');
      expect(m.started).to.equal(false);
      m.accept(start({ command: [] }));
      expect(m.started).to.equal(true);
    });
  });

  describe('validateStart', () => {
    const input = (start({}) as { start: SessionStartInput }).start;
    const cases: Array<{
      name: string;
      kind?: 'exec' | 'attach';
      over: Partial<SessionStartInput>;
      want: string;
    }> = [
      { name: 'no pod', over: { uid: '' }, want: 'start: name the pod by uid, or by namespace and name' },
      {
        name: 'name without namespace',
        over: { uid: '', name: 'p' },
        want: 'start: name the pod by uid, or by namespace and name',
      },
      { name: 'no container', over: { container: '' }, want: 'start.container: must not be empty' },
      { name: 'no command', over: { command: [] }, want: 'start.command: must not be empty' },
      {
        name: 'NUL in argv',
        over: { command: ['a', 'b\0'] },
        want: 'start.command[1]: must not contain a NUL byte',
      },
      {
        name: 'no stream at all',
        over: { stdin: false, stdout: false, stderr: false },
        want: 'start: at least one of stdin, stdout and stderr must be set',
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name}`, () => {
        expect(validateStart(c.kind ?? 'exec', { ...input, ...c.over })).to.equal(c.want);
      });
    }

    it('lets attach go without a command', () => {
      expect(validateStart('attach', { ...input, command: [] })).to.include({ container: 'c1' });
    });

    it('merges stderr into stdout with a tty and keeps the size only with a tty', () => {
      const tty = validateStart('exec', { ...input, tty: true, size: { width: 100, height: 40 } });
      expect(tty).to.deep.include({ stderr: false, tty: true, size: { cols: 100, rows: 40 } });
      const plain = validateStart('exec', { ...input, size: { width: 100, height: 40 } });
      expect(plain).to.deep.include({ stderr: true, size: undefined });
    });

    it('caps sizes at 16 bits', () => {
      const big = validateStart('exec', { ...input, tty: true, size: { width: 1e6, height: 70_000 } });
      expect(big).to.deep.include({ size: { cols: 0xffff, rows: 0xffff } });
    });
  });
});
