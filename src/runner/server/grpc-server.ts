import { timingSafeEqual, createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { Logger } from '../../common/logger.js';
import { loadRunnerProto, RUNNER_SERVICE_NAME } from '../../common/proto.js';
import { POD_LIFECYCLE_METHODS, warmUpCodecs } from './codec-warmup.js';
import { ConfigError, UnauthenticatedError } from '../../common/errors.js';
import { toServiceError } from '../../common/grpc-errors.js';
import { reflectionPackageDefinition } from './reflection-descriptors.js';
import { bindTarget, prepareUnixSocket, type ListenAddress } from './listen-address.js';
import type { RunnerHandlers } from '../../generated/vkcmd/runner/v1/Runner.js';

/** How clients must authenticate, resolved from flags and files. */
export interface TransportSecurity {
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  clientCaFile?: string | undefined;
  tokenFile?: string | undefined;
}

/** Reads a bearer token file, refusing one that group or others can read. */
export function readTokenFile(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    throw new ConfigError(`--token-file: cannot read ${file}: ${(err as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(
      `--token-file: ${file} has mode ${(st.mode & 0o777).toString(8)}; it must be 0600 or stricter (chmod 600 ${file})`,
    );
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token === '') throw new ConfigError(`--token-file: ${file} is empty`);
  return token;
}

/** Reads a private key file, refusing one that group or others can read. */
export function readPrivateKeyFile(flag: string, file: string): Buffer {
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    throw new ConfigError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ConfigError(
      `${flag}: ${file} has mode ${(st.mode & 0o777).toString(8)}; it must be 0600 or stricter (chmod 600 ${file})`,
    );
  }
  return readFileSync(file);
}

/** Constant-time check of an `authorization` header against the token. Pure. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given !== '';
}

function tokenInterceptor(token: string): grpc.ServerInterceptor {
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const header = metadata.get('authorization')[0];
            if (bearerMatches(typeof header === 'string' ? header : undefined, token)) {
              mdNext(metadata);
            } else {
              call.sendStatus({
                ...toServiceError(new UnauthenticatedError('missing or wrong bearer token')),
                code: grpc.status.UNAUTHENTICATED,
                metadata: new grpc.Metadata(),
              } as grpc.StatusObject);
            }
          },
        });
      },
    });
}

/**
 * Remembers every open server stream so that shutdown can end those the
 * runner does not own (health Watch, reflection) instead of waiting for them.
 */
function trackingInterceptor(open: Set<grpc.ServerInterceptingCallInterface>): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(
      call,
      // Unary calls are left to drain; only streams can stay open indefinitely.
      !method.responseStream
        ? {}
        : {
            start: (next) => {
              open.add(call);
              next({ onCancel: () => open.delete(call) });
            },
            sendStatus: (status, next) => {
              open.delete(call);
              next(status);
            },
          },
    );
}

type State = 'new' | 'serving' | 'draining' | 'stopped';

/**
 * The gRPC server: the Runner service, grpc.health.v1.Health ("" and the
 * Runner service) and server reflection over both. start() binds and serves;
 * stop() is two-phase: NOT_SERVING, tryShutdown (new calls refused, open
 * ones drain) and forceShutdown after the timeout.
 */
export class RunnerGrpcServer {
  private server: grpc.Server | undefined;
  private readonly health = new HealthImplementation({
    '': 'NOT_SERVING',
    [RUNNER_SERVICE_NAME]: 'NOT_SERVING',
  });
  private state: State = 'new';
  private readonly openCalls = new Set<grpc.ServerInterceptingCallInterface>();

  /**
   * `address` undefined: nothing is bound, and connections reach the server
   * only through connectionInjector() (dial-out mode). `serverOptions` add to
   * the grpc-js server options (dial-out sets keepalive pings).
   */
  constructor(
    private readonly address: ListenAddress | undefined,
    private readonly security: TransportSecurity,
    private readonly handlers: RunnerHandlers,
    private readonly log: Logger,
    private readonly serverOptions: grpc.ServerOptions = {},
  ) {}

  /**
   * Serves connections the runner dialled itself (dial-out mode): each one
   * injected carries HTTP/2 in the clear (it is inside the runner's TLS).
   * Call after start().
   */
  connectionInjector(): grpc.ConnectionInjector {
    if (!this.server || this.state !== 'serving') throw new Error(`cannot inject in state ${this.state}`);
    return this.server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  }

  /** Binds (when an address is set) and serves; returns the bound address as text (the socket path or host:port), or '' when nothing is bound. */
  async start(): Promise<string> {
    if (this.state !== 'new') throw new Error(`cannot start in state ${this.state}`);
    const interceptors: grpc.ServerInterceptor[] = [];
    // The token check wraps the transport directly; the tracker sits outside it.
    if (this.security.tokenFile) interceptors.push(tokenInterceptor(readTokenFile(this.security.tokenFile)));
    interceptors.push(trackingInterceptor(this.openCalls));
    // A pod may mount several 1 MiB ConfigMaps and Secrets: allow large CreatePod requests.
    const server = new grpc.Server({
      interceptors,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      ...this.serverOptions,
    });
    const { grpcType, definition } = loadRunnerProto();
    server.addService(grpcType.vkcmd.runner.v1.Runner.service, this.handlers);
    // Codecs of a pod's lifecycle are built now rather than on the first pod (codec-warmup.ts).
    warmUpCodecs(definition, RUNNER_SERVICE_NAME, POD_LIFECYCLE_METHODS);
    this.health.addToServer(server);
    new ReflectionService(reflectionPackageDefinition([healthProtoPath])).addToServer(server);
    if (!this.address) {
      this.server = server;
      this.serve();
      return '';
    }

    let credentials: grpc.ServerCredentials;
    if (this.address.kind === 'unix') {
      await prepareUnixSocket(this.address);
      credentials = grpc.ServerCredentials.createInsecure();
    } else if (this.security.tlsCertFile && this.security.tlsKeyFile) {
      const read = (flag: string, file: string): Buffer => {
        try {
          return readFileSync(file);
        } catch (err) {
          throw new ConfigError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
        }
      };
      const ca = this.security.clientCaFile ? read('--client-ca', this.security.clientCaFile) : null;
      credentials = grpc.ServerCredentials.createSsl(
        ca,
        [
          {
            private_key: read('--tls-key', this.security.tlsKeyFile),
            cert_chain: read('--tls-cert', this.security.tlsCertFile),
          },
        ],
        ca !== null,
      );
    } else {
      this.log.warn(
        { address: bindTarget(this.address) },
        'Serving plain TCP (--insecure): any local user who can reach this port can run code as you',
      );
      credentials = grpc.ServerCredentials.createInsecure();
    }
    const target = bindTarget(this.address);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(target, credentials, (err, p) => (err ? reject(err) : resolve(p)));
    });
    if (this.address.kind === 'unix') chmodSync(this.address.path, 0o600);
    this.server = server;
    this.serve();
    const where = this.address.kind === 'unix' ? this.address.path : `${this.address.host}:${port}`;
    this.log.info({ address: where }, 'Serving');
    return where;
  }

  private serve(): void {
    this.health.setStatus('', 'SERVING');
    this.health.setStatus(RUNNER_SERVICE_NAME, 'SERVING');
    this.state = 'serving';
  }

  /**
   * Two-phase stop. `endStreams` runs after health turns NOT_SERVING and before
   * draining, so long-lived streams do not hold the drain. Idempotent.
   */
  async stop(timeoutMs: number, endStreams: () => void): Promise<void> {
    if (this.state !== 'serving' || !this.server) {
      this.state = 'stopped';
      return;
    }
    this.state = 'draining';
    this.log.info({ timeoutMs }, 'Draining');
    this.health.setStatus('', 'NOT_SERVING');
    this.health.setStatus(RUNNER_SERVICE_NAME, 'NOT_SERVING');
    endStreams();
    for (const call of [...this.openCalls]) {
      call.sendStatus({
        code: grpc.status.UNAVAILABLE,
        details: 'the runner is shutting down',
        metadata: new grpc.Metadata(),
      });
    }
    this.openCalls.clear();
    const server = this.server;
    const drained = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!drained) {
      this.log.warn('Calls still open after the shutdown timeout; forcing');
      server.forceShutdown();
    }
    this.state = 'stopped';
    this.log.info('Stopped serving');
  }
}
