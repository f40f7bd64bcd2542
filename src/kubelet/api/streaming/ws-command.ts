import type WebSocket from 'ws';
import { endWritable, type CommandChannels } from './command-channels.js';
import { errorStreamBytes, type CommandOutcome } from './exec-status.js';
import type { CommandStreamOptions } from './stream-request.js';
import type { WsChannelProtocol } from './stream-protocols.js';
import { TerminalSizeDecoder, type TerminalSize } from './terminal-size.js';
import { channelReader, channelWriter } from './ws-channel-streams.js';
import { decodeChannelMessage, encodeChannelMessage } from './ws-channels.js';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

/**
 * The WebSocket side of a remotecommand session, as the kubelet's
 * createWebSocketStreams sets it up: channels 0-4 (stdin, stdout, stderr,
 * error, resize), an empty message on the lowest writable channel to tell
 * the client the session is up, the v4+ Status (or older text) on the
 * error channel at the end, then a normal close. v5 clients half-close
 * stdin with the close signal [255, 0].
 */
export function acceptWsCommand(
  ws: WebSocket,
  protocol: WsChannelProtocol,
  streams: CommandStreamOptions,
): CommandChannels {
  const { codec, version } = protocol;
  const stdin = streams.stdin ? channelReader(ws) : undefined;
  const stdout = streams.stdout ? channelWriter(ws, codec, Channel.stdout) : undefined;
  const stderr = streams.stderr ? channelWriter(ws, codec, Channel.stderr) : undefined;
  const listeners: Array<(size: TerminalSize) => void> = [];
  const sizes = new TerminalSizeDecoder();
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  void closed.then(() => stdin?.destroy());

  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const message = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as Buffer);
    const decoded = decodeChannelMessage(codec, message, version >= 5);
    if (!decoded) return;
    if (decoded.kind === 'close') {
      if (decoded.channel === Channel.stdin) stdin?.push(null);
      return;
    }
    if (decoded.channel === Channel.stdin) stdin?.deliver(decoded.data);
    else if (decoded.channel === Channel.resize) {
      for (const size of sizes.push(decoded.data)) for (const listener of listeners) listener(size);
    }
  });
  ws.on('error', () => undefined);

  const first = streams.stdout ? Channel.stdout : streams.stderr ? Channel.stderr : Channel.error;
  ws.send(encodeChannelMessage(codec, first, Buffer.alloc(0)), { binary: codec === 'binary' });

  let finishing = false;
  return {
    stdin,
    stdout,
    stderr,
    resizable: streams.tty,
    onResize: (listener) => void listeners.push(listener),
    finish(outcome: CommandOutcome): void {
      if (finishing) return;
      finishing = true;
      void (async () => {
        await Promise.all([endWritable(stdout), endWritable(stderr)]);
        if (ws.readyState !== ws.OPEN) return;
        const bytes = errorStreamBytes(outcome, version);
        if (bytes.length > 0)
          ws.send(encodeChannelMessage(codec, Channel.error, bytes), { binary: codec === 'binary' });
        ws.close(1000);
        const timer = setTimeout(() => ws.terminate(), 2_000);
        timer.unref();
        void closed.then(() => clearTimeout(timer));
      })();
    },
    abort: () => ws.terminate(),
    closed,
  };
}
