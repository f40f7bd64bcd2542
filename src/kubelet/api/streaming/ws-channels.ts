/*
 * WebSocket channel framing (k8s.io/apimachinery wsstream): every message
 * starts with its channel number, a byte in channel.k8s.io and the digit
 * '0'+n followed by base64 in base64.channel.k8s.io. v5.channel.k8s.io adds
 * the close signal [255, n]: the sender will write no more on channel n.
 * Pure.
 */

export const CLOSE_SIGNAL_CHANNEL = 255;

export type WsCodec = 'binary' | 'base64';

export type ChannelMessage =
  { kind: 'data'; channel: number; data: Buffer } | { kind: 'close'; channel: number };

/** One outgoing message on `channel`. */
export function encodeChannelMessage(codec: WsCodec, channel: number, data: Buffer): Buffer | string {
  if (codec === 'base64') return String.fromCharCode(48 + channel) + data.toString('base64');
  const frame = Buffer.allocUnsafe(data.length + 1);
  frame[0] = channel;
  data.copy(frame, 1);
  return frame;
}

/** The close signal for `channel` (v5 only). */
export function encodeCloseSignal(channel: number): Buffer {
  return Buffer.from([CLOSE_SIGNAL_CHANNEL, channel]);
}

/**
 * One incoming message; undefined for an empty message or invalid base64
 * (wsstream skips both). The close signal is recognised only when
 * `closeSignals` (v5).
 */
export function decodeChannelMessage(
  codec: WsCodec,
  message: Buffer,
  closeSignals: boolean,
): ChannelMessage | undefined {
  if (message.length === 0) return undefined;
  if (codec === 'base64') {
    const channel = message[0]! - 48;
    const text = message.toString('latin1', 1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
    return { kind: 'data', channel, data: Buffer.from(text, 'base64') };
  }
  const channel = message[0]!;
  if (closeSignals && channel === CLOSE_SIGNAL_CHANNEL) {
    return message.length === 2 ? { kind: 'close', channel: message[1]! } : undefined;
  }
  return { kind: 'data', channel, data: message.subarray(1) };
}
