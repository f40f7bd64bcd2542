import type WebSocket from 'ws';
import type { ByteCall, ByteSink } from '../../runner/runner-streams.js';
import { bridgeForwardedConnection } from './port-forward-bridge.js';
import type { WsChannelProtocol } from './stream-protocols.js';
import { channelReader, channelWriter } from './ws-channel-streams.js';
import { decodeChannelMessage, encodeChannelMessage } from './ws-channels.js';

/** The little-endian port number each channel of a port starts with. Pure. */
export function portPrefix(port: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(port);
  return bytes;
}

/**
 * Serves port-forward over WebSocket as the kubelet does: for the i-th port
 * of the request, channel 2i carries data both ways and 2i+1 errors to the
 * client; each starts with the port as two little-endian bytes. One runner
 * connection per port; the WebSocket closes when all are done. Resolves
 * then.
 */
export async function serveWsPortForward(
  ws: WebSocket,
  protocol: WsChannelProtocol,
  ports: readonly number[],
  target: { name: string; uid: string },
  connect: (port: number, sink: ByteSink) => ByteCall,
): Promise<void> {
  const { codec } = protocol;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const inputs = ports.map(() => channelReader(ws));
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const message = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as Buffer);
    const decoded = decodeChannelMessage(codec, message, false);
    if (decoded?.kind !== 'data' || decoded.channel % 2 !== 0) return;
    inputs[decoded.channel / 2]?.deliver(decoded.data);
  });
  ws.on('error', () => undefined);
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN)
      ws.send(encodeChannelMessage(codec, channel, data), { binary: codec === 'binary' });
  };
  ports.forEach((port, i) => {
    send(2 * i, portPrefix(port));
    send(2 * i + 1, portPrefix(port));
  });
  await Promise.all(
    ports.map((port, i) =>
      bridgeForwardedConnection(
        {
          input: inputs[i]!,
          output: channelWriter(ws, codec, 2 * i),
          reportError: (message) => send(2 * i + 1, Buffer.from(message, 'utf8')),
          abandoned: closed,
        },
        { ...target, port },
        (sink) => connect(port, sink),
      ),
    ),
  );
  if (ws.readyState === ws.OPEN) ws.close(1000);
  await closed;
}
