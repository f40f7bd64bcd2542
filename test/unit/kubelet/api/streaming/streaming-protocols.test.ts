import { expect } from 'chai';
import { commandStatus, errorStreamBytes } from '../../../../../src/kubelet/api/streaming/exec-status.js';
import { portForwardRequestId } from '../../../../../src/kubelet/api/streaming/port-forward-spdy.js';
import { portPrefix } from '../../../../../src/kubelet/api/streaming/port-forward-ws.js';
import { expectedStreamCount } from '../../../../../src/kubelet/api/streaming/spdy-command.js';
import {
  REMOTE_COMMAND_SPDY_PROTOCOLS,
  REMOTE_COMMAND_WS_PROTOCOLS,
  headerValues,
  isSpdyUpgrade,
  isWebSocketUpgrade,
  negotiateSpdyProtocol,
  negotiateWsProtocol,
  spdyCommandVersion,
} from '../../../../../src/kubelet/api/streaming/stream-protocols.js';
import { TerminalSizeDecoder } from '../../../../../src/kubelet/api/streaming/terminal-size.js';
import {
  decodeChannelMessage,
  encodeChannelMessage,
  encodeCloseSignal,
} from '../../../../../src/kubelet/api/streaming/ws-channels.js';

describe('streaming protocols', () => {
  describe('negotiation', () => {
    const cases: Array<[string, string[], string | number]> = [
      ['client order wins', ['v4.channel.k8s.io', 'v5.channel.k8s.io'], 'v4.channel.k8s.io'],
      ['unknown ones are skipped', ['v9.channel.k8s.io', 'channel.k8s.io'], 'channel.k8s.io'],
      ['none offered', [], 400],
      ['none in common', ['v9.channel.k8s.io'], 403],
    ];
    for (const [name, offered, expected] of cases) {
      it(`SPDY: ${name}`, () => {
        const result = negotiateSpdyProtocol(offered, REMOTE_COMMAND_SPDY_PROTOCOLS);
        if (typeof expected === 'string') expect(result).to.deep.equal({ ok: true, protocol: expected });
        else expect(result).to.deep.include({ ok: false, status: expected });
      });
    }

    it('reads repeated and comma-separated protocol headers', () => {
      expect(headerValues(['v4.channel.k8s.io, v3.channel.k8s.io', 'channel.k8s.io'])).to.deep.equal([
        'v4.channel.k8s.io',
        'v3.channel.k8s.io',
        'channel.k8s.io',
      ]);
      expect(headerValues(undefined)).to.deep.equal([]);
    });

    it('WebSocket: the first supported subprotocol, "" when none offered, undefined when none supported', () => {
      expect(
        negotiateWsProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'], REMOTE_COMMAND_WS_PROTOCOLS),
      ).to.equal('v5.channel.k8s.io');
      expect(negotiateWsProtocol([], REMOTE_COMMAND_WS_PROTOCOLS)).to.equal('');
      expect(negotiateWsProtocol(['nope'], REMOTE_COMMAND_WS_PROTOCOLS)).to.equal(undefined);
      expect(REMOTE_COMMAND_WS_PROTOCOLS.get('base64.channel.k8s.io')).to.deep.equal({
        codec: 'base64',
        version: 1,
      });
    });

    it('maps SPDY protocols to generations and recognises upgrades', () => {
      expect(REMOTE_COMMAND_SPDY_PROTOCOLS.map(spdyCommandVersion)).to.deep.equal([5, 4, 3, 2, 1]);
      expect(isSpdyUpgrade('Upgrade', 'SPDY/3.1')).to.equal(true);
      expect(isSpdyUpgrade('keep-alive', 'SPDY/3.1')).to.equal(false);
      expect(isWebSocketUpgrade('keep-alive, Upgrade', 'websocket')).to.equal(true);
      expect(isWebSocketUpgrade('Upgrade', 'SPDY/3.1')).to.equal(false);
    });
  });

  it('counts the streams a client opens per protocol generation', () => {
    const all = { stdin: true, stdout: true, stderr: false, tty: true };
    expect(expectedStreamCount(all, 4)).to.equal(4);
    expect(expectedStreamCount(all, 2)).to.equal(3);
    expect(expectedStreamCount({ stdin: false, stdout: true, stderr: true, tty: false }, 5)).to.equal(3);
  });

  it('pairs port-forward streams by requestID, or by stream id for old clients', () => {
    const stream = (id: number, headers: Record<string, string>) => ({
      id,
      header: (n: string) => headers[n] ?? '',
    });
    expect(portForwardRequestId(stream(5, { requestid: '7', streamtype: 'data' }))).to.equal('7');
    expect(portForwardRequestId(stream(1, { streamtype: 'error' }))).to.equal('1');
    expect(portForwardRequestId(stream(3, { streamtype: 'data' }))).to.equal('1');
    expect([...portPrefix(8080)]).to.deep.equal([0x90, 0x1f]);
  });

  describe('exit status on the error stream', () => {
    it('v4+: a metav1.Status, NonZeroExitCode with the ExitCode cause', () => {
      expect(commandStatus({ kind: 'exited', exitCode: 0 })).to.deep.equal({
        metadata: {},
        status: 'Success',
      });
      expect(JSON.parse(errorStreamBytes({ kind: 'exited', exitCode: 3 }, 4).toString())).to.deep.equal({
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: exit status 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      });
      expect(commandStatus({ kind: 'failed', message: 'boom' })).to.deep.include({
        reason: 'InternalError',
        code: 500,
        message: 'Internal error occurred: error executing command in container: boom',
      });
    });

    it('before v4: the message as text, nothing on success', () => {
      expect(errorStreamBytes({ kind: 'exited', exitCode: 0 }, 3).length).to.equal(0);
      expect(errorStreamBytes({ kind: 'exited', exitCode: 2 }, 1).toString()).to.equal(
        'command terminated with non-zero exit code: exit status 2',
      );
    });
  });

  describe('WebSocket channels', () => {
    it('binary: channel byte then data; the v5 close signal', () => {
      expect(encodeChannelMessage('binary', 1, Buffer.from('hi'))).to.deep.equal(Buffer.from([1, 104, 105]));
      expect(decodeChannelMessage('binary', Buffer.from([0, 120]), true)).to.deep.equal({
        kind: 'data',
        channel: 0,
        data: Buffer.from('x'),
      });
      expect(decodeChannelMessage('binary', encodeCloseSignal(0), true)).to.deep.equal({
        kind: 'close',
        channel: 0,
      });
      expect(decodeChannelMessage('binary', encodeCloseSignal(0), false)).to.deep.include({
        kind: 'data',
        channel: 255,
      });
      expect(decodeChannelMessage('binary', Buffer.alloc(0), true)).to.equal(undefined);
    });

    it('base64: the channel digit then base64; invalid base64 is skipped', () => {
      expect(encodeChannelMessage('base64', 1, Buffer.from('foo\n'))).to.equal('1Zm9vCg==');
      expect(decodeChannelMessage('base64', Buffer.from('0Zm9vCg=='), false)).to.deep.equal({
        kind: 'data',
        channel: 0,
        data: Buffer.from('foo\n'),
      });
      expect(decodeChannelMessage('base64', Buffer.from('0!!'), false)).to.equal(undefined);
    });
  });

  it('decodes terminal sizes split anywhere, case-insensitively, skipping malformed objects', () => {
    const decoder = new TerminalSizeDecoder();
    expect(decoder.push('{"Width":80,"Hei')).to.deep.equal([]);
    expect(decoder.push('ght":24}{"width":1,"height":2}{bad}{"Width":3')).to.deep.equal([
      { width: 80, height: 24 },
      { width: 1, height: 2 },
    ]);
    expect(decoder.push(',"Height":4}')).to.deep.equal([{ width: 3, height: 4 }]);
  });
});
