import { constants } from 'node:os';

/*
 * The launcher's wire format (native/vk-cmd-launcher.c states the messages).
 * A frame is a 4-byte little-endian length, then NUL-terminated fields: the
 * first is the frame's type, each other one is a key letter followed by its
 * value. Binary and NUL-separated so that the C side needs no parser; keys
 * a side does not know are ignored, so fields can be added later.
 * Everything here is pure.
 */

/** One decoded frame: its type and its (key, value) fields in order. */
export interface Frame {
  type: string;
  fields: Array<[key: string, value: string]>;
}

/** Frames longer than this are refused (the launcher refuses the same). */
export const MAX_FRAME_BYTES = 16 << 20;

/** Encodes one frame. Throws when a type, key or value holds a NUL byte, or a key is not one character. */
export function encodeFrame(type: string, fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: string[] = [type];
  for (const [key, value] of fields) {
    if (key.length !== 1) throw new Error(`launcher frame key ${JSON.stringify(key)} must be one character`);
    parts.push(key + value);
  }
  for (const p of parts) if (p.includes('\0')) throw new Error('launcher frame fields must not contain NUL');
  const body = Buffer.from(parts.join('\0') + '\0', 'utf8');
  if (body.length > MAX_FRAME_BYTES) throw new Error(`launcher frame of ${body.length} bytes is too long`);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Decodes one frame body (without its length). */
export function decodeFrameBody(body: Buffer): Frame {
  const parts = body.toString('utf8').split('\0');
  if (parts.pop() !== '') throw new Error('launcher frame is not NUL-terminated');
  const [type = '', ...rest] = parts;
  return { type, fields: rest.map((p) => [p.slice(0, 1), p.slice(1)] as [string, string]) };
}

/** Splits a byte stream into frames; keeps a partial frame for the next push. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Returns the whole frames completed by `chunk`. Throws on a malformed stream. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Frame[] = [];
    let off = 0;
    while (this.pending.length - off >= 4) {
      const n = this.pending.readUInt32LE(off);
      if (n === 0 || n > MAX_FRAME_BYTES) throw new Error(`launcher frame length ${n} is out of range`);
      if (this.pending.length - off - 4 < n) break;
      out.push(decodeFrameBody(this.pending.subarray(off + 4, off + 4 + n)));
      off += 4 + n;
    }
    this.pending = this.pending.subarray(off);
    return out;
  }
}

/** A file the child gets as fd `childFd`: `path` opened by the launcher with `flags` (numeric open(2) flags). */
export interface ChildFile {
  childFd: number;
  flags: number;
  path: string;
}

/** One start: the program (an absolute path) and its arguments, its whole environment, its files. */
export interface StartRequest {
  id: number;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Working directory; the launcher's own when undefined. */
  cwd: string | undefined;
  /** Lead a new session and process group (pgid = pid). */
  setsid: boolean;
  /** Every fd the child has; all others are closed. */
  files: readonly ChildFile[];
}

/** The request frame of a start. Throws as encodeFrame does. */
export function encodeStartRequest(r: StartRequest): Buffer {
  const fields: Array<[string, string]> = [['i', String(r.id)]];
  for (const a of r.argv) fields.push(['a', a]);
  for (const [name, value] of Object.entries(r.env)) fields.push(['e', `${name}=${value}`]);
  if (r.cwd !== undefined) fields.push(['c', r.cwd]);
  if (r.setsid) fields.push(['s', '']);
  for (const f of r.files) fields.push(['f', `${f.childFd},${f.flags},${f.path}`]);
  return encodeFrame('start', fields);
}

/** The frame the runner sends once it holds its ends of the pipes: replies come on the reply pipe. */
export const HELLO_FRAME = encodeFrame('hello', []);

/**
 * The same with the e field: every reply comes on the launcher's event
 * stream instead (decodeEvent's 'reply'), in request order and before that
 * leader's exit, so the runner reads replies without blocking.
 */
export const HELLO_ASYNC_FRAME = encodeFrame('hello', [['e', '']]);

/** The steps a start can fail at, as the launcher names them. */
export type LauncherStep = 'request' | 'open' | 'fork' | 'setsid' | 'dup' | 'chdir' | 'exec' | 'stat';

/** The launcher's answer to one start. */
export type LauncherReply =
  | { kind: 'ok'; id: number; pid: number; pgrp: number; startTicks: number }
  | { kind: 'err'; id: number; step: LauncherStep | string; errno: number; childFd: number | undefined };

/** What the launcher pushes on its event stream. */
export type LauncherEvent =
  | { kind: 'ready'; pid: number; requestFd: number; replyFd: number }
  | { kind: 'exit'; pid: number; code: number | null; signal: NodeJS.Signals | null }
  /** A start's reply, on the event stream after HELLO_ASYNC_FRAME. */
  | { kind: 'reply'; reply: LauncherReply }
  | { kind: 'unknown'; type: string };

function fieldOf(f: Frame, key: string): string | undefined {
  return f.fields.find(([k]) => k === key)?.[1];
}

function numberOf(f: Frame, key: string): number {
  const v = fieldOf(f, key);
  if (v === undefined || !/^-?\d+$/.test(v))
    throw new Error(`launcher ${f.type} frame: field ${key} missing`);
  return Number(v);
}

/** Decodes a reply frame. Throws on anything that is not a well-formed reply. */
export function decodeReply(f: Frame): LauncherReply {
  if (f.type === 'ok') {
    return {
      kind: 'ok',
      id: numberOf(f, 'i'),
      pid: numberOf(f, 'p'),
      pgrp: numberOf(f, 'g'),
      startTicks: numberOf(f, 't'),
    };
  }
  if (f.type === 'err') {
    const d = fieldOf(f, 'd');
    return {
      kind: 'err',
      id: numberOf(f, 'i'),
      step: fieldOf(f, 'x') ?? 'request',
      errno: numberOf(f, 'n'),
      childFd: d === undefined ? undefined : Number(d),
    };
  }
  throw new Error(`launcher reply of unknown type ${JSON.stringify(f.type)}`);
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** Decodes an event frame; unknown types are returned as such (a newer launcher may send more). */
export function decodeEvent(f: Frame): LauncherEvent {
  if (f.type === 'ready') {
    return { kind: 'ready', pid: numberOf(f, 'p'), requestFd: numberOf(f, 'w'), replyFd: numberOf(f, 'r') };
  }
  if (f.type === 'exit') {
    const s = fieldOf(f, 's');
    if (s !== undefined) {
      const signal = SIGNAL_NAMES.get(Number(s));
      // A signal Node has no name for: reported as the shell would, 128 + N.
      if (signal === undefined)
        return { kind: 'exit', pid: numberOf(f, 'p'), code: 128 + Number(s), signal: null };
      return { kind: 'exit', pid: numberOf(f, 'p'), code: null, signal };
    }
    return { kind: 'exit', pid: numberOf(f, 'p'), code: numberOf(f, 'c'), signal: null };
  }
  if (f.type === 'ok' || f.type === 'err') return { kind: 'reply', reply: decodeReply(f) };
  return { kind: 'unknown', type: f.type };
}
