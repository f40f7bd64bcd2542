import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { loadRunnerProto } from '../../src/common/proto.js';
import type { RunnerHandlers } from '../../src/generated/vkcmd/runner/v1/Runner.js';
import { DialOut } from '../../src/runner/connect/dial-out.js';
import { parseConnectTarget } from '../../src/runner/connect/connect-target.js';
import { FakeRunner } from '../../test/integration/kubelet/support/fake-runner.js';

/** Where light runners dial and what they present. */
export interface LightRunnerOptions {
  /** https://HOST:PORT, the kubelet's --accept-runners. */
  url: string;
  caPem: Buffer;
  token: string;
}

/**
 * Runners that are not processes: each an in-memory Runner service (the
 * integration tests' FakeRunner: containers run at once, nothing is
 * started) on a gRPC server of its own, served over a connection made by
 * the runner's real DialOut (TLS, the upgrade handshake, reconnects). What
 * the kubelet sees is a runner per node; what it costs the bench process is
 * not a runner's cost, which is why rows measured with them say so.
 */
export class LightRunners {
  private readonly dialOuts: DialOut[] = [];
  private readonly servers: grpc.Server[] = [];
  private readonly logger = pino({ level: 'silent' });

  constructor(private readonly options: LightRunnerOptions) {}

  /** Starts one light runner dialling in as `nodeName`. */
  add(nodeName: string): void {
    const { grpcType } = loadRunnerProto();
    const fake = new FakeRunner(`/nonexistent/${nodeName}.sock`);
    const server = new grpc.Server();
    server.addService(grpcType.vkcmd.runner.v1.Runner.service, fake.handlers() as RunnerHandlers);
    const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const dialOut = new DialOut({
      request: {
        target: parseConnectTarget(this.options.url),
        nodeName,
        version: 'bench-light-runner',
        timeoutMs: 60_000,
      },
      credentials: () => ({ ca: this.options.caPem, token: this.options.token }),
      sink: injector,
      logger: this.logger,
      // Many at once against one kubelet: spread the retries out.
      initialBackoffMs: 2_000,
    });
    this.servers.push(server);
    this.dialOuts.push(dialOut);
    dialOut.start();
  }

  /** How many are connected now. */
  connected(): number {
    return this.dialOuts.filter((d) => d.state === 'connected').length;
  }

  /** Stops dialling and closes every connection (the kubelet sees its runners go). */
  stop(): void {
    for (const d of this.dialOuts) d.stop();
    for (const s of this.servers) s.forceShutdown();
    this.dialOuts.length = 0;
    this.servers.length = 0;
  }
}
