import type { Duplex } from 'node:stream';
import type { Logger } from '../../../common/logger.js';
import type { ByteCall, ByteSink } from '../../runner/runner-streams.js';
import { bridgeForwardedConnection } from './port-forward-bridge.js';
import { SpdySession } from './spdy-session.js';
import type { SpdyStream } from './spdy-stream.js';
import { parsePort } from './stream-request.js';

interface StreamPair {
  requestId: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/**
 * The request id a port-forward stream belongs to: its requestID header, or
 * for clients that send none the kubelet's guess from the stream id (the
 * error stream's id, the data stream's id minus 2). Pure.
 */
export function portForwardRequestId(stream: { id: number; header(name: string): string }): string {
  const id = stream.header('requestid');
  if (id) return id;
  return String(stream.header('streamtype') === 'data' ? stream.id - 2 : stream.id);
}

export interface SpdyPortForwardOptions {
  socket: Duplex;
  head: Buffer;
  target: { name: string; uid: string };
  logger: Logger;
  streamCreationTimeoutMs: number;
  /** Opens the runner side of one forwarded connection. */
  connect(port: number, sink: ByteSink): ByteCall;
}

/**
 * Serves `portforward.k8s.io` over SPDY as the kubelet does: each forwarded
 * connection is a pair of streams (error and data) with the same port and
 * requestID headers; a stream without a valid port or stream type is
 * refused. A complete pair is one runner PortForward call; a pair not
 * completed within the stream creation timeout is reported on its error
 * stream. Resolves when the connection closes.
 */
export async function serveSpdyPortForward(options: SpdyPortForwardOptions): Promise<void> {
  const pairs = new Map<string, StreamPair>();
  const session = new SpdySession(options.socket, {
    logger: options.logger,
    onStream: (stream) => {
      try {
        if (!stream.header('port')) throw new Error('"port" header is required');
        parsePort(stream.header('port'));
        const type = stream.header('streamtype');
        if (!type) throw new Error('"streamType" header is required');
        if (type !== 'data' && type !== 'error') throw new Error(`invalid stream type "${type}"`);
      } catch (err) {
        options.logger.debug({ err }, 'Port-forward stream refused');
        return false;
      }
      stream.on('error', () => undefined);
      const requestId = portForwardRequestId(stream);
      let pair = pairs.get(requestId);
      if (!pair) {
        const timer = setTimeout(() => {
          pair?.error?.end(`timed out waiting for streams (request ${requestId})`);
          pairs.delete(requestId);
        }, options.streamCreationTimeoutMs);
        pair = { requestId, timer };
        pairs.set(requestId, pair);
      }
      const type = stream.header('streamtype') as 'data' | 'error';
      if (pair[type]) {
        stream.end(`error processing stream for request ${requestId}: ${type} stream already assigned`);
        return true;
      }
      pair[type] = stream;
      if (pair.data && pair.error) {
        clearTimeout(pair.timer);
        pairs.delete(requestId);
        const { data, error } = pair;
        error.resume();
        // After this stream's SYN_REPLY is written.
        setImmediate(() => void forward(data, error));
      }
      return true;
    },
  });

  const forward = async (data: SpdyStream, error: SpdyStream): Promise<void> => {
    const port = Number(data.header('port'));
    const abandoned = new Promise<void>((resolve) => {
      data.once('reset', resolve);
      error.once('reset', resolve);
      void session.closed.then(resolve);
    });
    await bridgeForwardedConnection(
      { input: data, output: data, reportError: (message) => error.write(message), abandoned },
      { ...options.target, port },
      (sink) => options.connect(port, sink),
    );
    if (!error.destroyed) error.end();
  };

  session.receive(options.head);
  await session.closed;
  for (const pair of pairs.values()) clearTimeout(pair.timer);
}
