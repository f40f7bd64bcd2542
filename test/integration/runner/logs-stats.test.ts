import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { GetLogsRequest } from '../../../src/generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { Stats__Output } from '../../../src/generated/vkcmd/runner/v1/Stats.js';
import type { NodeInfo__Output } from '../../../src/generated/vkcmd/runner/v1/NodeInfo.js';
import { StatsStream } from '../../../src/kubelet/runner/stats-stream.js';
import {
  eventually,
  isRunning,
  isTerminated,
  readLogs,
  RunnerHarness,
  scriptPod,
  status,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

describe('runner: logs, stats and node info', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    // A back-off long enough to read the logs while the container waits to restart.
    h = new RunnerHarness(['--backoff-initial-ms', '3000']);
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  const logs = (req: GetLogsRequest, onChunk?: (text: string) => void): Promise<string> =>
    readLogs(h.client, req, onChunk);

  it('tail, limit, stream selection and timestamps', async () => {
    const spec = scriptPod('lines', 'for i in 1 2 3 4 5; do echo "out $i"; done\necho "err 1" >&2\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    const uid = spec.uid!;
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT' })).to.equal('out 1\nout 2\nout 3\nout 4\nout 5\n');
    expect(await logs({ uid, stream: 'LOG_STREAM_STDERR' })).to.equal('err 1\n');
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT', tailLines: 2 })).to.equal('out 4\nout 5\n');
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT', tailLines: 0 })).to.equal('');
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT', limitBytes: 8 })).to.equal('out 1\nou');
    const all = await logs({ namespace: 'ns1', name: 'lines' });
    expect(all.split('\n').filter(Boolean).sort()).to.deep.equal([
      'err 1',
      'out 1',
      'out 2',
      'out 3',
      'out 4',
      'out 5',
    ]);
    const stamped = await logs({ uid, stream: 'LOG_STREAM_STDOUT', timestamps: true, tailLines: 1 });
    const m = /^(\S+) out 5\n$/.exec(stamped);
    expect(m, stamped).to.not.equal(null);
    const t = Date.parse(m![1]!);
    expect(Math.abs(Date.now() - t)).to.be.below(10_000);
  });

  it('since: only lines first seen after the time', async () => {
    const spec = scriptPod('since', 'echo early\nwhile [ ! -e go ]; do sleep 0.02; done\necho late\n');
    await h.create(spec);
    const dir = path.join(h.rootDir, 'ns1', 'since', 'containers', 'c1');
    await eventually(
      async () => (await logs({ uid: spec.uid!, stream: 'LOG_STREAM_STDOUT' })) === 'early\n',
      5_000,
      'early',
    );
    await new Promise((r) => setTimeout(r, 300));
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(path.join(dir, 'go'), '');
    await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(await logs({ uid: spec.uid!, sinceTimeMs: cut })).to.equal('late\n');
    expect(await logs({ uid: spec.uid!, sinceSeconds: 3600 })).to.equal('early\nlate\n');
  });

  it('follow streams new lines as they are written and ends when the container terminates', async () => {
    const spec = scriptPod(
      'follow',
      'echo one\nwhile [ ! -e go ]; do sleep 0.02; done\necho two\nwhile [ ! -e stop ]; do sleep 0.02; done\necho three\n',
    );
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const dir = path.join(h.rootDir, 'ns1', 'follow', 'containers', 'c1');
    const seen: string[] = [];
    const done = logs({ uid: spec.uid!, follow: true }, (text) => seen.push(text));
    await eventually(() => seen.at(-1) === 'one\n', 5_000, 'one');
    writeFileSync(path.join(dir, 'go'), '');
    await eventually(() => seen.at(-1) === 'one\ntwo\n', 5_000, 'two');
    writeFileSync(path.join(dir, 'stop'), '');
    expect(await done).to.equal('one\ntwo\nthree\n');
  });

  it('a follow of a quiet container is accepted at once: headers before any output, refusals before headers', async () => {
    const spec = scriptPod('quiet', 'while [ ! -e stop ]; do sleep 0.02; done\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const stream = h.client.GetLogs({ uid: spec.uid!, container: 'c1', follow: true });
    let chunks = 0;
    stream.on('data', () => chunks++);
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    await new Promise<void>((resolve) => stream.once('metadata', () => resolve()));
    expect(chunks, 'nothing was written yet').to.equal(0);
    writeFileSync(path.join(h.rootDir, 'ns1', 'quiet', 'containers', 'c1', 'stop'), '');
    await ended;
    const refused = h.client.GetLogs({ uid: spec.uid!, container: 'nope', follow: true });
    let refusedHeaders = false;
    refused.on('metadata', () => (refusedHeaders = true));
    const err = await new Promise<grpc.ServiceError>((resolve) => refused.on('error', resolve));
    expect([err.code, refusedHeaders]).to.deep.equal([grpc.status.NOT_FOUND, false]);
  });

  it('previous and current logs around a restart are the runs the kubelet would serve', async () => {
    // Run 1 waits for go1 and fails; run 2 waits for release and succeeds.
    const spec = scriptPod(
      'prev',
      [
        'n=$(cat ../../n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ../../n',
        'echo "run $n"',
        'if [ $n -eq 1 ]; then echo "err 1" >&2; while [ ! -e go1 ]; do sleep 0.02; done; exit 1; fi',
        'while [ ! -e release ]; do sleep 0.02; done',
        '',
      ].join('\n'),
      { restartPolicy: 'OnFailure' },
    );
    const uid = spec.uid!;
    const dir = path.join(h.rootDir, 'ns1', 'prev', 'containers', 'c1');
    const failure = (req: GetLogsRequest) =>
      logs(req).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
    expect((await failure({ uid, previous: true }))?.code).to.equal(grpc.status.NOT_FOUND);
    await h.create(spec);
    await watcher.waitForPod(uid, isRunning('c1'));
    const noPrev = await failure({ uid, previous: true });
    expect([noPrev?.code, noPrev?.details]).to.deep.equal([
      grpc.status.NOT_FOUND,
      'previous terminated container "c1" in pod ns1/prev not found',
    ]);

    writeFileSync(path.join(dir, 'go1'), '');
    await watcher.waitForPod(uid, (p) => status(p, 'c1').state?.waiting?.reason === 'CrashLoopBackOff');
    // Waiting to restart: both the previous and the current logs are the run that just ended.
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT', previous: true })).to.equal('run 1\n');
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT' })).to.equal('run 1\n');
    expect(await logs({ uid, stream: 'LOG_STREAM_STDERR', previous: true })).to.equal('err 1\n');

    await watcher.waitForPod(uid, (p) => status(p, 'c1').restartCount === 1 && isRunning('c1')(p));
    await eventually(
      async () => (await logs({ uid, stream: 'LOG_STREAM_STDOUT' })) === 'run 2\n',
      5_000,
      'run 2',
    );
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT', previous: true })).to.equal('run 1\n');
    // Each stream's own previous file is what counts.
    rmSync(path.join(dir, 'stdout.previous'));
    expect((await failure({ uid, stream: 'LOG_STREAM_STDOUT', previous: true }))?.code).to.equal(
      grpc.status.NOT_FOUND,
    );
    expect(await logs({ uid, stream: 'LOG_STREAM_STDERR', previous: true })).to.equal('err 1\n');

    writeFileSync(path.join(dir, 'release'), '');
    await watcher.waitForPod(uid, isTerminated('c1'));
    expect(await logs({ uid, stream: 'LOG_STREAM_STDOUT' })).to.equal('run 2\n');
    await unary(h.client, 'DeletePod', { uid, gracePeriodSeconds: 0 });
  });

  it('GetStats reports non-zero CPU and memory for a busy container, from one scan', async () => {
    const spec = scriptPod('busy', 'end=$((SECONDS+5)); while [ $SECONDS -lt $end ]; do :; done\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    await new Promise((r) => setTimeout(r, 700));
    const stats = await unary<object, Stats__Output>(h.client, 'GetStats', {});
    const pod = stats.pods.find((p) => p.uid === spec.uid);
    const c = pod?.containers[0];
    expect(c?.name).to.equal('c1');
    expect(c!.cpuUsageCoreNanoseconds).to.be.greaterThan(100_000_000);
    expect(c!.memoryWorkingSetBytes).to.be.greaterThan(100_000);
    expect(c!.processCount).to.be.at.least(2);
    expect(c!.startedAtMs).to.be.greaterThan(0);
    expect(stats.node?.cpuUsageCoreNanoseconds).to.be.greaterThan(0);
    expect(stats.node?.memoryTotalBytes).to.be.greaterThan(0);
    expect(stats.node?.memoryWorkingSetBytes).to.be.greaterThan(0);
    const later = await unary<object, Stats__Output>(h.client, 'GetStats', {});
    const c2 = later.pods.find((p) => p.uid === spec.uid)!.containers[0]!;
    expect(c2.cpuUsageCoreNanoseconds).to.be.at.least(c!.cpuUsageCoreNanoseconds);

    // The kubelet's collections on StreamStats: both on one stream, each answered, none through GetStats.
    let unaryCalls = 0;
    let opened = 0;
    const stream = new StatsStream(
      () => {
        opened++;
        return h.client.streamStats();
      },
      () => {
        unaryCalls++;
        return Promise.reject(new Error('GetStats was not expected'));
      },
    );
    const [a, b] = await Promise.all([stream.collect(5_000), stream.collect(5_000)]);
    stream.close();
    expect([opened, unaryCalls]).to.deep.equal([1, 0]);
    for (const streamed of [a, b]) {
      const c3 = streamed.pods.find((p) => p.uid === spec.uid)!.containers[0]!;
      expect(c3.cpuUsageCoreNanoseconds).to.be.at.least(c2.cpuUsageCoreNanoseconds);
      expect(Number(streamed.timestampMs)).to.be.at.least(Number(later.timestampMs));
    }
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
  });

  it('GetNodeInfo describes the host', async () => {
    const info = await unary<object, NodeInfo__Output>(h.client, 'GetNodeInfo', {});
    expect(info.operatingSystem).to.equal('linux');
    expect(['amd64', 'arm64']).to.include(info.architecture);
    expect(info.cpus).to.be.greaterThan(0);
    expect(info.memoryBytes).to.be.greaterThan(0);
    expect(info.bootId).to.match(/^[0-9a-f-]{36}$/);
    expect(info.rootDir).to.equal(h.rootDir);
    expect(info.ephemeralStorageBytes).to.be.greaterThan(0);
    expect(info.runnerVersion).to.not.equal('');
  });
});
