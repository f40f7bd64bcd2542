import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expect } from 'chai';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { loadRunnerProto, RUNNER_SERVICE_NAME } from '../../../src/common/proto.js';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { WatchPodsEvent__Output } from '../../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { eventually, isTerminated, RunnerHarness, scriptPod, unary } from './support/runner-harness.js';

const require = createRequire(import.meta.url);

// Untyped clients of the standard health and reflection protos.
type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

function healthClient(target: string, creds = grpc.credentials.createInsecure()): AnyClient {
  const def = protoLoader.loadSync(healthProtoPath, { enums: String });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { health: { v1: { Health: new (t: string, c: grpc.ChannelCredentials) => AnyClient } } };
  };
  return new pkg.grpc.health.v1.Health(target, creds);
}

function reflectionClient(target: string): AnyClient {
  const file = path.join(
    path.dirname(require.resolve('@grpc/reflection')),
    '..',
    'proto',
    'grpc',
    'reflection',
    'v1',
    'reflection.proto',
  );
  const def = protoLoader.loadSync(file, { keepCase: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: {
      reflection: { v1: { ServerReflection: new (t: string, c: grpc.ChannelCredentials) => AnyClient } };
    };
  };
  return new pkg.grpc.reflection.v1.ServerReflection(target, grpc.credentials.createInsecure());
}

describe('runner: gRPC surface (health, reflection, watch resume, auth)', function () {
  this.timeout(60_000);
  let h: RunnerHarness;

  before(async () => {
    h = new RunnerHarness();
    await h.startInProcess();
  });
  after(async () => h.close());

  it('the socket is private: directory 0700, socket 0600', () => {
    expect(statSync(path.dirname(h.socketPath)).mode & 0o777).to.equal(0o700);
    expect(statSync(h.socketPath).mode & 0o777).to.equal(0o600);
  });

  it('grpc.health.v1.Health reports SERVING for "" and the Runner service', async () => {
    const client = healthClient(`unix://${h.socketPath}`);
    for (const service of ['', RUNNER_SERVICE_NAME]) {
      const res = await new Promise<{ status: string }>((resolve, reject) =>
        client['Check']!({ service }, (err: Error | null, v: { status: string }) =>
          err ? reject(err) : resolve(v),
        ),
      );
      expect(res.status).to.equal('SERVING');
    }
    client.close();
  });

  it('server reflection lists the Runner and Health services and describes the Runner', async () => {
    const client = reflectionClient(`unix://${h.socketPath}`);
    const call = client['ServerReflectionInfo']!() as grpc.ClientDuplexStream<
      object,
      Record<string, unknown>
    >;
    const responses: Array<Record<string, unknown>> = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (r) => {
        responses.push(r);
        if (responses.length === 2) call.end();
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    call.write({ list_services: '' });
    call.write({ file_containing_symbol: RUNNER_SERVICE_NAME });
    await done;
    const services = (
      responses[0]!['list_services_response'] as { service: Array<{ name: string }> }
    ).service.map((s) => s.name);
    expect(services).to.include.members([RUNNER_SERVICE_NAME, 'grpc.health.v1.Health']);
    const files = (responses[1]!['file_descriptor_response'] as { file_descriptor_proto: Buffer[] })
      .file_descriptor_proto;
    expect(Buffer.concat(files).toString('latin1')).to.contain('WatchPods');
    client.close();
  });

  it('a watch resumed from a revision misses nothing; an unknown epoch gets a full snapshot', async () => {
    const first = h.watch();
    await eventually(() => first.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED'), 5_000, 'synced');
    const specs = [scriptPod('w1', 'echo 1\n'), scriptPod('w2', 'echo 2\n')];
    await h.create(specs[0]!);
    await first.waitForPod(specs[0]!.uid!, isTerminated('c1'));
    const resumeAt = first.events.at(-1)!;
    first.cancel();
    await h.create(specs[1]!);
    await unary(h.client, 'DeletePod', { uid: specs[0]!.uid, gracePeriodSeconds: 0 });
    const list = await unary<object, { revision: number; epoch: string; pods: Pod__Output[] }>(
      h.client,
      'ListPods',
      {},
    );
    const resumed = h.watch({ epoch: resumeAt.epoch, sinceRevision: resumeAt.revision });
    await resumed.waitForDeleted(specs[0]!.uid!);
    await eventually(() => resumed.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED'), 5_000, 'synced');
    const types = resumed.events.map((e) => e.type);
    expect(types).to.not.include('WATCH_EVENT_TYPE_RESET');
    expect(types).to.include('WATCH_EVENT_TYPE_ADDED');
    const revisions = resumed.events
      .filter((e) => e.type !== 'WATCH_EVENT_TYPE_SYNCED')
      .map((e) => Number(e.revision));
    expect(revisions[0]).to.equal(Number(resumeAt.revision) + 1);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).to.equal(revisions[i - 1]! + 1);
    const synced = resumed.events.find((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED')!;
    expect(Number(synced.revision)).to.be.at.least(list.revision);

    const fresh = h.watch({ epoch: 'someone-else', sinceRevision: 3 });
    await eventually(() => fresh.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED'), 5_000, 'synced');
    expect(fresh.events[0]!.type).to.equal('WATCH_EVENT_TYPE_RESET');
    const snap = fresh.events.filter((e: WatchPodsEvent__Output) => e.type === 'WATCH_EVENT_TYPE_SNAPSHOT');
    expect(snap.map((e) => e.pod!.uid)).to.include(specs[1]!.uid);
    expect(snap.map((e) => e.pod!.uid)).to.not.include(specs[0]!.uid);
  });

  it('a quiet watch that asks for heartbeats gets HEARTBEAT events, each the current revision; one that does not gets none', async () => {
    const plain = h.watch();
    const asking = h.watch({ heartbeatIntervalMs: 100 });
    const heartbeats = () => asking.events.filter((e) => e.type === 'WATCH_EVENT_TYPE_HEARTBEAT');
    await eventually(() => heartbeats().length >= 3, 10_000, 'three heartbeats');
    // The current revision: that of the last change sent before it (pods of earlier tests may still change).
    let revision = -1;
    for (const e of asking.events) {
      if (e.type !== 'WATCH_EVENT_TYPE_HEARTBEAT') revision = Number(e.revision);
      else {
        expect(Number(e.revision)).to.equal(revision);
        expect(e.pod).to.equal(null);
      }
    }
    const beats = heartbeats().map((e) => e.receivedAtMs);
    for (let i = 1; i < beats.length; i++) expect(beats[i]! - beats[i - 1]!).to.be.at.least(90);
    expect(plain.events.map((e) => e.type)).to.not.include('WATCH_EVENT_TYPE_HEARTBEAT');
    plain.cancel();
    asking.cancel();
  });

  describe('tcp with a bearer token', () => {
    let t: RunnerHarness;
    let port = 0;
    before(async () => {
      const net = await import('node:net');
      port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      t = new RunnerHarness();
      const tokenFile = path.join(t.workDir, 'token');
      writeFileSync(tokenFile, 's3cret\n');
      chmodSync(tokenFile, 0o600);
      t.args = () => [
        '--listen',
        `tcp://127.0.0.1:${port}`,
        '--insecure',
        '--token-file',
        tokenFile,
        '--root-dir',
        t.rootDir,
      ];
      await t.startInProcess();
    });
    after(async () => t.close());

    function call(token: string | undefined): Promise<grpc.ServiceError | undefined> {
      const { grpcType } = loadRunnerProto();
      const client = new grpcType.vkcmd.runner.v1.Runner(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
      );
      const md = new grpc.Metadata();
      if (token) md.set('authorization', `Bearer ${token}`);
      return new Promise((resolve) =>
        client.ListPods({}, md, (err) => {
          client.close();
          resolve(err ?? undefined);
        }),
      );
    }

    it('accepts the right token and refuses a wrong or missing one with UNAUTHENTICATED', async () => {
      expect(await call('s3cret')).to.equal(undefined);
      expect((await call('wrong'))?.code).to.equal(grpc.status.UNAUTHENTICATED);
      expect((await call(undefined))?.code).to.equal(grpc.status.UNAUTHENTICATED);
    });

    it('health needs the token too', async () => {
      const client = healthClient(`127.0.0.1:${port}`);
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        client['Check']!({ service: '' }, (e: grpc.ServiceError | null) => resolve(e)),
      );
      expect(err?.code).to.equal(grpc.status.UNAUTHENTICATED);
      client.close();
    });
  });
});

describe('runner: graceful shutdown', function () {
  this.timeout(30_000);

  it('turns health NOT_SERVING, ends watch streams with UNAVAILABLE and leaves pods running', async () => {
    const h = new RunnerHarness();
    await h.startInProcess();
    try {
      const spec = scriptPod('keeps-running', 'sleep 30\n');
      const pod = await h.create(spec);
      const pgid = pod.containerStatuses[0]!.pgid;
      const watcher = h.watch();
      await eventually(
        () => watcher.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED'),
        5_000,
        'synced',
      );
      const health = healthClient(`unix://${h.socketPath}`);
      const statuses: string[] = [];
      const stream = health['Watch']!({ service: RUNNER_SERVICE_NAME }) as grpc.ClientReadableStream<{
        status: string;
      }>;
      stream.on('data', (s: { status: string }) => statuses.push(s.status));
      stream.on('error', () => undefined);
      await eventually(() => statuses.includes('SERVING'), 5_000, 'SERVING');
      await h.app!.stop();
      expect(statuses).to.include('NOT_SERVING');
      await eventually(() => watcher.error !== undefined, 5_000, 'watch ended');
      expect(watcher.error?.code).to.equal(grpc.status.UNAVAILABLE);
      process.kill(-pgid, 0);
      health.close();
    } finally {
      await h.close();
    }
  });
});
