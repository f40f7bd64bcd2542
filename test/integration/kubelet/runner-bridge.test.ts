import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createRootLogger } from '../../../src/common/logger.js';
import { loadRunnerProto } from '../../../src/common/proto.js';
import type { RunnerClient } from '../../../src/generated/vkcmd/runner/v1/Runner.js';
import type { RunnerConnection } from '../../../src/kubelet/accept/dial-in-request.js';
import { RunnerBridge } from '../../../src/kubelet/accept/runner-bridge.js';
import { createRunnerClient, DEFAULT_KEEPALIVE } from '../../../src/kubelet/runner/runner-client.js';
import { makeDialInPki, type DialInPki } from '../../support/dial-in-pki.js';

/**
 * The bridge alone, with a runner's side made as the runner makes it: a TLS
 * connection to the kubelet on which a grpc-js server is injected. The
 * kubelet's side of each connection is attached to the bridge as the
 * acceptor attaches it.
 */
describe('RunnerBridge: a dial-in runner connection for an ordinary grpc-js client', function () {
  this.timeout(30_000);
  let dir: string;
  let pki: DialInPki;
  let tlsServer: tls.Server;
  let grpcServer: grpc.Server;
  let bridge: RunnerBridge;
  let client: RunnerClient;
  let ended: string[];
  /** Kubelet-side sockets, in the order the runner side connected. */
  let accepted: tls.TLSSocket[];
  let acceptedWaiters: Array<() => void>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-bridge-'));
    pki = makeDialInPki(dir);
    accepted = [];
    acceptedWaiters = [];
    ended = [];
    tlsServer = tls.createServer(
      { cert: readFileSync(pki.serverCertFile), key: readFileSync(pki.serverKeyFile) },
      (socket) => {
        socket.pause();
        accepted.push(socket);
        for (const wake of acceptedWaiters.splice(0)) wake();
      },
    );
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    grpcServer = runnerService('bridge-test');
    const logger = createRootLogger('test', -1);
    bridge = new RunnerBridge(path.join(dir, 'node.sock'), logger, (connection, reason) =>
      ended.push(`${connection.nodeName}: ${reason}`),
    );
    await bridge.open();
    client = createRunnerClient(
      { target: bridge.target(), transport: 'unix', insecure: false },
      readFileSync,
      DEFAULT_KEEPALIVE,
      bridge.credentials(),
    );
  });

  afterEach(async () => {
    client.close();
    await bridge.close();
    grpcServer.forceShutdown();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The runner's gRPC server: GetNodeInfo answers `hostname`. */
  function runnerService(hostname: string): grpc.Server {
    const { grpcType } = loadRunnerProto();
    const server = new grpc.Server();
    server.addService(grpcType.vkcmd.runner.v1.Runner.service, {
      GetNodeInfo: (_call: unknown, done: grpc.sendUnaryData<{ hostname: string }>) =>
        done(null, { hostname }),
    });
    return server;
  }

  /** A runner dials in, is attached and has answered a call; resolves once its connection has closed. */
  async function attachedRunner(): Promise<{ connection: RunnerConnection; closed: Promise<unknown> }> {
    const connection = await runnerDialsIn();
    bridge.attach(connection);
    expect(await hostname()).to.equal('bridge-test');
    return { connection, closed: new Promise((resolve) => connection.socket.once('close', resolve)) };
  }

  /** A runner dials in: returns the kubelet's side of the connection, ready to attach. */
  async function runnerDialsIn(
    serve: (runnerSide: tls.TLSSocket) => void = (runnerSide) =>
      grpcServer
        .createConnectionInjector(grpc.ServerCredentials.createInsecure())
        .injectConnection(runnerSide),
  ): Promise<RunnerConnection> {
    const arrived = new Promise<void>((resolve) => acceptedWaiters.push(resolve));
    const port = (tlsServer.address() as AddressInfo).port;
    const runnerSide = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(pki.caFile) });
    await new Promise<void>((resolve, reject) => {
      runnerSide.once('secureConnect', resolve);
      runnerSide.once('error', reject);
    });
    runnerSide.on('error', () => undefined);
    // As the runner does after the upgrade: Node's HTTP/2 server wants the ALPN to say h2.
    runnerSide.alpnProtocol = 'h2';
    serve(runnerSide);
    await arrived;
    const socket = accepted[accepted.length - 1]!;
    return {
      nodeName: 'node-a',
      remoteAddress: '127.0.0.1',
      credential: 'test',
      runnerVersion: undefined,
      socket,
      acceptedAtMs: 0,
    };
  }

  /** GetNodeInfo's hostname; `waitForReady` queues the call through the client's back-off after a failure. */
  const hostname = (deadlineMs = 10_000, waitForReady = false): Promise<string> =>
    new Promise((resolve, reject) =>
      client.getNodeInfo(
        {},
        new grpc.Metadata({ waitForReady }),
        { deadline: Date.now() + deadlineMs },
        (err, info) => (err ? reject(err) : resolve(info!.hostname)),
      ),
    );

  /** Resolves once the client's channel has left IDLE and is trying to connect. */
  function connecting(): Promise<void> {
    const channel = client.getChannel();
    return new Promise((resolve) => {
      const check = (): void => {
        const state = channel.getConnectivityState(true);
        if (state === grpc.connectivityState.CONNECTING) return resolve();
        channel.watchConnectivityState(state, Date.now() + 10_000, check);
      };
      check();
    });
  }

  it('a call made before any runner is attached waits, and is answered over the runner connection once one is', async () => {
    const answer = hostname();
    await connecting();
    const connection = await runnerDialsIn();
    bridge.attach(connection);
    expect(await answer).to.equal('bridge-test');
    expect(bridge.connection()).to.equal(connection);
    // HTTP/2 reads the socket itself: no JavaScript pipe copies the runner's bytes.
    expect(connection.socket.listenerCount('data')).to.equal(0);
    expect(connection.socket.readableFlowing).to.not.equal(true);
    expect(connection.socket.bytesWritten).to.be.greaterThan(0);
  });

  it('the connection ending on the runner side reports it; the next runner serves the next call', async () => {
    const { closed } = await attachedRunner();
    grpcServer.forceShutdown();
    await closed;
    expect(ended).to.deep.equal(['node-a: the runner connection closed']);
    expect(bridge.connection()).to.equal(undefined);
    grpcServer = runnerService('second runner');
    const answer = hostname();
    bridge.attach(await runnerDialsIn());
    expect(await answer).to.equal('second runner');
  });

  it('a runner that answers with bytes that are not HTTP/2 is dropped and reported; the kubelet carries on', async () => {
    const connection = await runnerDialsIn((runnerSide) => {
      runnerSide.write(Buffer.alloc(4096, 0xff));
      runnerSide.on('data', () => runnerSide.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    const closed = new Promise((resolve) => connection.socket.once('close', resolve));
    const answer = hostname(5_000).then(
      () => expect.fail('answered by a runner that speaks no HTTP/2'),
      (err: grpc.ServiceError) => err,
    );
    bridge.attach(connection);
    await closed;
    expect(ended).to.deep.equal(['node-a: the runner connection closed']);
    expect((await answer).code).to.equal(grpc.status.UNAVAILABLE);
    // A proper runner afterwards is served as usual, once the client's back-off lets it try again.
    const next = hostname(10_000, true);
    bridge.attach(await runnerDialsIn());
    expect(await next).to.equal('bridge-test');
  });

  it('the client closing closes the runner connection, and it is reported', async () => {
    const { closed } = await attachedRunner();
    client.close();
    await closed;
    expect(ended).to.have.length(1);
    expect(bridge.connection()).to.equal(undefined);
  });

  it('a bridge closed while a connection attempt waits fails the call at once instead of leaving it to its deadline', async () => {
    const answer = hostname(20_000).then(
      () => expect.fail('answered with no runner'),
      (err: grpc.ServiceError) => err,
    );
    await connecting();
    const startedMs = Date.now();
    await bridge.close();
    const err = await answer;
    expect(err.code).to.equal(grpc.status.UNAVAILABLE);
    expect(Date.now() - startedMs).to.be.lessThan(10_000);
  });
});
