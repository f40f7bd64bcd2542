import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { ProbeMetrics__Output } from '../../../src/generated/vkcmd/runner/v1/ProbeMetrics.js';
import {
  isRunning,
  isTerminated,
  RunnerHarness,
  status,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';
import { freePort } from '../../support/free-port.js';
import { every1s, exec, healthServer, probedPod, report } from './support/probe-fixtures.js';

describe('runner: probes against real processes', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness(['--backoff-initial-ms', '200', '--backoff-max-ms', '800']);
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  const dirOf = (spec: PodSpec) => path.join(h.rootDir, spec.namespace!, spec.name!, 'containers', 'c1');

  it('exec readiness runs in the container directory with its env: not ready until it passes, then not ready again when it fails', async () => {
    const spec = probedPod(
      'exec-ready',
      'sleep 1; touch ready; while [ -f ready ]; do sleep 0.1; done; sleep 300\n',
      {
        env: [{ name: 'FLAG', value: 'ready' }],
        readinessProbe: { handler: exec('sh', '-c', 'test -f "$FLAG"'), ...every1s },
      },
    );
    await h.create(spec);
    const running = await watcher.waitForPod(spec.uid!, isRunning('c1'));
    expect(status(running, 'c1').ready, 'not ready before the first success').to.equal(false);
    await watcher.waitForPod(spec.uid!, (p) => status(p, 'c1').ready === true, 15_000, 'ready');
    expect(status(watcher.pods.get(spec.uid!)!, 'c1').started).to.equal(true);
    // The script ends its wait once the file is gone; the next probe fails.
    rmSync(path.join(dirOf(spec), 'ready'));
    const notReady = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').ready === false && (report(p, 'Readiness')?.failures ?? 0) > 0,
      15_000,
      'not ready with a failure report',
    );
    expect(isRunning('c1')(notReady)).to.equal(true);
    const metrics = await unary<object, ProbeMetrics__Output>(h.client, 'GetProbeMetrics', {});
    const mine = metrics.counters.find((c) => c.podUid === spec.uid && c.probeType === 'Readiness');
    expect(mine?.container).to.equal('c1');
    expect(Number(mine?.successful)).to.be.at.least(1);
    expect(Number(mine?.failed)).to.be.at.least(1);
  });

  it('a failing httpGet liveness probe stops the run and restarts it (Always), with the kubelet wording', async () => {
    const port = await freePort();
    const server = `exec node -e 'require("http").createServer((q,s)=>{s.statusCode=500;s.end("no")}).listen(${port},"127.0.0.1")'\n`;
    const spec = probedPod(
      'http-live',
      server,
      {
        livenessProbe: {
          handler: { httpGet: { scheme: 'HTTP', port, path: '/healthz', headers: [] } },
          initialDelaySeconds: 1,
          ...every1s,
          failureThreshold: 2,
        },
      },
      { restartPolicy: 'Always', terminationGracePeriodSeconds: 2 },
    );
    await h.create(spec);
    const stopping = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').stopReason === 'LivenessProbe',
      20_000,
      'stopped for liveness',
    );
    expect(report(stopping, 'Liveness')?.lastFailure).to.equal('HTTP probe failed with statuscode: 500');
    const restarted = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').restartCount >= 1,
      20_000,
      'restarted',
    );
    expect(status(restarted, 'c1').lastState?.terminated).to.not.equal(undefined);
  });

  it('a startup probe holds liveness back until it succeeds', async () => {
    const spec = probedPod(
      'startup-gate',
      'sleep 300\n',
      {
        startupProbe: { handler: exec('test', '-f', 'started'), ...every1s, failureThreshold: 30 },
        livenessProbe: { handler: exec('false'), ...every1s },
      },
      { terminationGracePeriodSeconds: 2 },
    );
    await h.create(spec);
    const starting = await watcher.waitForPod(
      spec.uid!,
      (p) => (report(p, 'Startup')?.failures ?? 0) >= 2,
      15_000,
      'two startup failures',
    );
    expect(status(starting, 'c1').started).to.equal(false);
    expect(report(starting, 'Liveness'), 'liveness has not run').to.equal(undefined);
    writeFileSync(path.join(dirOf(spec), 'started'), '');
    const stopped = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').stopReason === 'LivenessProbe',
      15_000,
      'liveness stop after start',
    );
    expect(report(stopped, 'Liveness')?.failures).to.be.at.least(1);
    await watcher.waitForPod(spec.uid!, isTerminated('c1'), 15_000, 'terminated (Never)');
  });

  it('tcpSocket readiness fails on a closed port with Go wording and passes on an open one', async () => {
    const closed = await freePort();
    const spec = probedPod('tcp-ready', 'sleep 300\n', {
      readinessProbe: { handler: { tcpSocket: { port: closed } }, ...every1s },
    });
    await h.create(spec);
    const failing = await watcher.waitForPod(
      spec.uid!,
      (p) => (report(p, 'Readiness')?.failures ?? 0) > 0,
      15_000,
      'a tcp failure',
    );
    expect(report(failing, 'Readiness')?.lastFailure).to.match(
      new RegExp(`dial tcp 127\\.0\\.0\\.1:${closed}: connect: connection refused`),
    );
    const listener = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => listener.listen(closed, '127.0.0.1', resolve));
    try {
      await watcher.waitForPod(spec.uid!, (p) => status(p, 'c1').ready === true, 15_000, 'ready on tcp');
    } finally {
      listener.close();
    }
  });

  it('grpc readiness asks grpc.health.v1 Check for its service', async () => {
    const { port, server } = await healthServer((service) => (service === 'good' ? 1 : 2));
    try {
      const good = probedPod('grpc-good', 'sleep 300\n', {
        readinessProbe: { handler: { grpc: { port, service: 'good' } }, ...every1s },
      });
      const bad = probedPod('grpc-bad', 'sleep 300\n', {
        readinessProbe: { handler: { grpc: { port, service: 'other' } }, ...every1s },
      });
      await h.create(good);
      await h.create(bad);
      await watcher.waitForPod(good.uid!, (p) => status(p, 'c1').ready === true, 15_000, 'grpc ready');
      const failing = await watcher.waitForPod(
        bad.uid!,
        (p) => (report(p, 'Readiness')?.failures ?? 0) > 0,
        15_000,
        'grpc failure',
      );
      expect(report(failing, 'Readiness')?.lastFailure).to.contain('NOT_SERVING');
      expect(status(failing, 'c1').ready).to.equal(false);
    } finally {
      server.forceShutdown();
    }
  });

  it('an exec probe that hangs is cut at its timeout', async () => {
    const spec = probedPod('exec-hang', 'sleep 300\n', {
      readinessProbe: { handler: exec('sleep', '30'), ...every1s },
    });
    await h.create(spec);
    const failing = await watcher.waitForPod(
      spec.uid!,
      (p) => (report(p, 'Readiness')?.failures ?? 0) > 0,
      15_000,
      'a timeout',
    );
    expect(report(failing, 'Readiness')?.lastFailure).to.equal('command "sleep 30" timed out');
  });
});
