import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../../common/dial-in.js';
import type { Logger } from '../../common/logger.js';
import { version } from '../../common/version.js';
import { DialOut, type ConnectionSink } from '../connect/dial-out.js';
import { leaveKubelet } from '../connect/kubelet-dialer.js';
import type { DialOutConfig, RunnerConfig } from '../runner-config.js';
import { readDialCredentials } from './dial-credentials.js';
import { RunnerGrpcServer } from './grpc-server.js';

/*
 * The runner's two ways of serving: listening (unix socket or TCP), or
 * dialling the kubelet (--connect) and serving over that connection.
 */

/** Keepalive pings on dialled connections: a kubelet host that vanished is noticed in about 40 s. */
const DIAL_OUT_SERVER_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
};

/** The gRPC server for the configured mode: listening, or fed dialled connections (and maybe a unix socket too). */
export function newRunnerServer(
  config: RunnerConfig,
  handlers: RunnerHandlers,
  log: Logger,
): RunnerGrpcServer {
  const connect = config.connect;
  return connect
    ? new RunnerGrpcServer(
        connect.alsoListen ? config.listen : undefined,
        {},
        handlers,
        log,
        DIAL_OUT_SERVER_OPTIONS,
      )
    : new RunnerGrpcServer(config.listen, config, handlers, log);
}

/** Dial-out mode: keeps a connection to the kubelet, reading the credentials afresh for each attempt. */
export function newDialOut(
  config: RunnerConfig,
  connect: DialOutConfig,
  sink: ConnectionSink,
  log: Logger,
): DialOut {
  return new DialOut({
    request: {
      target: connect.target,
      nodeName: connect.nodeName,
      version: version(),
      timeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
    },
    credentials: () => readDialCredentials(config),
    sink,
    logger: log.child({ component: 'dial-out' }),
  });
}

/** --delete-node-on-exit: the kubelet deletes the Node and Lease; a failure is logged, not fatal. */
export async function leaveNode(config: RunnerConfig, connect: DialOutConfig, log: Logger): Promise<void> {
  const request = {
    target: connect.target,
    nodeName: connect.nodeName,
    version: version(),
    timeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  };
  try {
    const answer = await leaveKubelet(request, readDialCredentials(config));
    log.info({ node: connect.nodeName, answer }, 'The kubelet deleted this node');
  } catch (err) {
    log.warn(
      { node: connect.nodeName, err: (err as Error).message },
      'Could not have the kubelet delete this node',
    );
  }
}
