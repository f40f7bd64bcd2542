import net from 'node:net';
import { dialErrorMessage, dialTimeoutMessage, joinHostPort } from './go-net-errors.js';
import type { ProbeOutcome } from './probe-worker.js';

/** Where a network probe goes when its spec names no host: the runner's own host, where the pods listen. */
export const DEFAULT_PROBE_HOST = '127.0.0.1';

/**
 * pkg/probe/tcp: success when a TCP connection opens within the timeout
 * (then it is closed); otherwise a failure with Go's dial error as output.
 */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const target = host || DEFAULT_PROBE_HOST;
  const hostPort = joinHostPort(target, port);
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const socket = net.connect({ host: target, port });
    const timer = setTimeout(
      () => finish({ kind: 'failure', output: dialTimeoutMessage(hostPort) }),
      timeoutMs,
    );
    socket.once('connect', () => finish({ kind: 'success', output: '' }));
    socket.once('error', (err) =>
      finish({ kind: 'failure', output: dialErrorMessage(hostPort, target, err) }),
    );
  });
}
