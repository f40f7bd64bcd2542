import { expect } from 'chai';
import {
  decodeEvent,
  decodeFrameBody,
  decodeReply,
  encodeFrame,
  encodeStartRequest,
  FrameDecoder,
  type Frame,
} from '../../../../src/runner/process/launcher-protocol.js';

const bodyOf = (b: Buffer): string => b.subarray(4).toString('utf8');
const frame = (type: string, ...fields: Array<[string, string]>): Frame => ({ type, fields });

describe('launcher-protocol: frames', () => {
  it('encodes a length-prefixed, NUL-separated frame', () => {
    const b = encodeFrame('ok', [
      ['i', '7'],
      ['p', '42'],
    ]);
    expect(b.readUInt32LE(0)).to.equal(b.length - 4);
    expect(bodyOf(b)).to.equal('ok\0i7\0p42\0');
  });

  it('refuses NUL bytes and keys that are not one character', () => {
    expect(() => encodeFrame('start', [['a', 'x\0y']])).to.throw(/NUL/);
    expect(() => encodeFrame('start', [['ab', 'x']])).to.throw(/one character/);
  });

  it('decodes what it encodes, with UTF-8 and empty values', () => {
    const b = encodeFrame('start', [
      ['a', 'é ü'],
      ['s', ''],
    ]);
    expect(decodeFrameBody(b.subarray(4))).to.deep.equal(frame('start', ['a', 'é ü'], ['s', '']));
  });

  it('the decoder splits a stream at any byte boundary and keeps partial frames', () => {
    const stream = Buffer.concat([encodeFrame('exit', [['p', '1']]), encodeFrame('exit', [['p', '2']])]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(
        frames.map((f) => f.fields[0]![1]),
        `cut at ${cut}`,
      ).to.deep.equal(['1', '2']);
    }
  });

  it('the decoder refuses a zero or oversized length', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0]))).to.throw(/out of range/);
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0x7f]))).to.throw(/out of range/);
  });
});

describe('launcher-protocol: requests, replies and events', () => {
  it('a start carries id, argv in order, the whole env, cwd, setsid and the child files', () => {
    const b = encodeStartRequest({
      id: 3,
      argv: ['/bin/sh', '-c', 'exit 0'],
      env: { A: '1', B: 'x=y' },
      cwd: '/proc/self/fd/3',
      setsid: true,
      files: [
        { childFd: 0, flags: 0, path: '/dev/null' },
        { childFd: 1, flags: 1025, path: '/proc/9/fd/20' },
      ],
    });
    expect(bodyOf(b).split('\0')).to.deep.equal([
      'start',
      'i3',
      'a/bin/sh',
      'a-c',
      'aexit 0',
      'eA=1',
      'eB=x=y',
      'c/proc/self/fd/3',
      's',
      'f0,0,/dev/null',
      'f1,1025,/proc/9/fd/20',
      '',
    ]);
  });

  it('no cwd and no setsid leave their fields out', () => {
    const b = encodeStartRequest({
      id: 1,
      argv: ['/bin/true'],
      env: {},
      cwd: undefined,
      setsid: false,
      files: [],
    });
    expect(bodyOf(b)).to.equal('start\0i1\0a/bin/true\0');
  });

  const replies: Array<[string, Frame, unknown]> = [
    [
      'ok',
      frame('ok', ['i', '4'], ['p', '100'], ['g', '100'], ['t', '555']),
      { kind: 'ok', id: 4, pid: 100, pgrp: 100, startTicks: 555 },
    ],
    [
      'err at open of fd 1',
      frame('err', ['i', '5'], ['x', 'open'], ['n', '13'], ['d', '1']),
      { kind: 'err', id: 5, step: 'open', errno: 13, childFd: 1 },
    ],
    [
      'err at exec, unknown keys ignored',
      frame('err', ['i', '6'], ['x', 'exec'], ['n', '2'], ['z', 'later']),
      { kind: 'err', id: 6, step: 'exec', errno: 2, childFd: undefined },
    ],
  ];
  for (const [name, f, want] of replies) {
    it(`decodes the reply: ${name}`, () => expect(decodeReply(f)).to.deep.equal(want));
  }

  it('refuses a reply of another type or without its fields', () => {
    expect(() => decodeReply(frame('exit', ['p', '1']))).to.throw(/unknown type/);
    expect(() => decodeReply(frame('ok', ['i', '1']))).to.throw(/field p missing/);
  });

  const events: Array<[string, Frame, unknown]> = [
    [
      'ready',
      frame('ready', ['p', '77'], ['w', '5'], ['r', '6']),
      { kind: 'ready', pid: 77, requestFd: 5, replyFd: 6 },
    ],
    [
      'exit with a code',
      frame('exit', ['p', '9'], ['c', '3']),
      { kind: 'exit', pid: 9, code: 3, signal: null },
    ],
    [
      'exit by a signal',
      frame('exit', ['p', '9'], ['s', '9']),
      { kind: 'exit', pid: 9, code: null, signal: 'SIGKILL' },
    ],
    [
      'exit by a nameless signal',
      frame('exit', ['p', '9'], ['s', '99']),
      { kind: 'exit', pid: 9, code: 227, signal: null },
    ],
    ['a type from a newer launcher', frame('stats', ['n', '1']), { kind: 'unknown', type: 'stats' }],
  ];
  for (const [name, f, want] of events) {
    it(`decodes the event: ${name}`, () => expect(decodeEvent(f)).to.deep.equal(want));
  }
});
