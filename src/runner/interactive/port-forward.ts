import net from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import type { PortForwardRequest__Output } from '../../generated/vkcmd/runner/v1/PortForwardRequest.js';
import type { PortForwardResponse } from '../../generated/vkcmd/runner/v1/PortForwardResponse.js';
import { InvalidInputError, UnavailableError, errnoCode, errorMessage } from '../../common/errors.js';

/** The loopback addresses tried in order: pods share the host's network. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;

/** What PortForward needs from the runner. */
export interface PortForwardDeps {
  /** Throws NotFoundError unless the pod exists and has a running container. */
  checkPodRunning(ref: { uid: string; namespace: string; name: string }): void;
  log: Logger;
  track(close: (reason: Error) => void): () => void;
  fail(method: string, err: unknown): Partial<grpc.StatusObject>;
  /** Connects to a port; injectable for tests. */
  connect?: (host: string, port: number) => net.Socket;
}

type PortForwardCall = grpc.ServerDuplexStream<PortForwardRequest__Output, PortForwardResponse>;

/** Checks the start message. Pure: the problem, or the port. */
export function validatePortForwardStart(req: PortForwardRequest__Output): { port: number } | string {
  if (req.msg !== 'start' || !req.start) return 'the first message must be start';
  const s = req.start;
  if (!s.uid && !(s.namespace && s.name)) return 'start: name the pod by uid, or by namespace and name';
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) {
    return `start.port: ${s.port} must be from 1 to 65535`;
  }
  return { port: s.port };
}

/** "dial tcp 127.0.0.1:80: connect: connection refused", as Go words a failed dial. Pure. */
export function dialError(host: string, port: number, err: unknown): string {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const code = errnoCode(err);
  const reason =
    code === 'ECONNREFUSED' ? 'connection refused' : code === 'ETIMEDOUT' ? 'i/o timeout' : errorMessage(err);
  return `dial tcp ${address}: connect: ${reason}`;
}

/**
 * One PortForward call = one TCP connection to 127.0.0.1:<port>, else
 * [::1]:<port>. `connected` once it is up; data both ways with
 * backpressure; the client's close_write half-closes the connection; the
 * call ends (OK) when the connection is closed, with UNAVAILABLE when it
 * cannot be made or breaks. A cancelled call destroys the socket.
 */
export function servePortForward(call: PortForwardCall, deps: PortForwardDeps): void {
  let socket: net.Socket | undefined;
  let over = false;
  let started = false;
  const untrack = deps.track((reason) => fail(reason));
  const done = (): void => {
    if (over) return;
    over = true;
    untrack();
    call.end();
  };
  const fail = (err: unknown): void => {
    if (over) return;
    over = true;
    untrack();
    socket?.destroy();
    call.emit('error', deps.fail('PortForward', err));
  };
  const connect =
    deps.connect ??
    ((host: string, port: number): net.Socket => net.connect({ host, port, allowHalfOpen: false }));

  const open = (port: number, hosts: readonly string[]): void => {
    const host = hosts[0]!;
    const s = connect(host, port);
    s.once('error', (err) => {
      if (over) return;
      if (socket === s) {
        fail(new UnavailableError(`connection to port ${port}: ${errorMessage(err)}`));
        return;
      }
      s.destroy();
      deps.log.debug({ host, port, err: errorMessage(err) }, 'Port-forward connection failed');
      if (hosts.length > 1 && errnoCode(err) !== undefined) open(port, hosts.slice(1));
      else fail(new UnavailableError(dialError(host, port, err)));
    });
    s.once('connect', () => {
      if (over) {
        s.destroy();
        return;
      }
      socket = s;
      s.on('error', () => undefined);
      call.write({ connected: true });
      call.resume();
      s.on('data', (data: Buffer) => {
        if (!call.write({ data })) s.pause();
      });
      s.on('close', () => done());
    });
  };

  call.on('drain', () => socket?.resume());
  call.on('data', (req: PortForwardRequest__Output) => {
    if (over) return;
    if (!started) {
      const start = validatePortForwardStart(req);
      if (typeof start === 'string') {
        fail(new InvalidInputError(start));
        return;
      }
      try {
        deps.checkPodRunning(req.start!);
      } catch (err) {
        fail(err);
        return;
      }
      started = true;
      // Data sent before the connection is up waits in the call's buffer.
      call.pause();
      open(start.port, LOOPBACK_HOSTS);
      return;
    }
    if (req.msg === 'data') {
      if (req.data && req.data.length > 0 && socket && !socket.write(req.data)) {
        call.pause();
        socket.once('drain', () => call.resume());
      }
    } else if (req.msg === 'closeWrite') {
      socket?.end();
    } else {
      fail(new InvalidInputError('after start, a message must set data or close_write'));
    }
  });
  call.on('end', () => {
    // The client will send nothing more: as close_write, unless nothing started.
    if (!started) fail(new InvalidInputError('the first message must be start'));
    else socket?.end();
  });
  const cancel = (): void => {
    if (over) return;
    over = true;
    untrack();
    socket?.destroy();
  };
  call.on('cancelled', cancel);
  call.on('error', cancel);
}
