import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { RunnerEndpoint } from '../../../src/kubelet/config/runner-endpoint.js';
import type { RunnerKeepalive } from '../../../src/kubelet/runner/runner-client.js';
import { heartbeatIntervalMs } from '../../../src/kubelet/runner/runner-liveness.js';
import { createTestCa } from '../../fixtures/kubelet-api/test-pki.js';
import { freePort } from '../../support/free-port.js';
import { RunnerHarness } from '../runner/support/runner-harness.js';
import { harnessPerTest, sleeperPod, waitFor, type Harness } from './support/harness.js';

const GRACE_SECONDS = 2;
const GRACE_MS = GRACE_SECONDS * 1000;
const HEARTBEAT_MS = heartbeatIntervalMs(GRACE_SECONDS);

const ready = (h: Harness) => h.api.nodes.get('vk-test')?.status?.conditions?.find((c) => c.type === 'Ready');
const phase = (h: Harness, name: string) => h.api.pod('default', name)?.status?.phase;
const heartbeats = async (h: Harness, outcome: 'answered' | 'silent') =>
  (await h.metrics.runnerHeartbeatsTotal.get()).values.find((v) => v.labels['outcome'] === outcome)?.value ??
  0;
const reconnects = async (h: Harness) => (await h.metrics.runnerReconnectsTotal.get()).values[0]?.value ?? 0;
const running = (h: Harness, name: string) =>
  h.api.pod('default', name)?.status?.containerStatuses?.find((s) => s.name === 'c1')?.state?.running;

/** Resolves when the async `condition` holds, checking every few milliseconds. */
async function waitForAsync(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kubelet: a hung runner (a real runner process stopped with SIGSTOP)', function () {
  this.timeout(60_000);
  let h: Harness;
  let runner: RunnerHarness;
  harnessPerTest((x) => (h = x), { startRunner: false });
  afterEach(async () => {
    runner.child?.kill('SIGCONT');
    await runner.close();
  });

  /**
   * A pod runs; the runner is stopped: the node turns NotReady
   * (RunnerNotResponding) within the grace period plus a small bound and no
   * pod status changes; the runner continues: the node is Ready again and
   * the pod is still driven by the runner (deleted through it).
   */
  async function stopAndContinue(endpoint: RunnerEndpoint, keepalive?: RunnerKeepalive): Promise<void> {
    const kubelet = await h.startKubelet(
      { runner: endpoint, runnerUnreachableGraceSeconds: GRACE_SECONDS },
      keepalive ? { keepalive } : {},
    );
    h.api.addPod(sleeperPod('s1'));
    await waitFor(() => running(h, 's1'), 20_000, 's1 running');
    await waitFor(() => ready(h)?.status === 'True', 10_000, 'Ready');
    const patchesBefore = h.api.statusPatches.length;
    const reconnectsBefore = await reconnects(h);

    const stoppedAtMs = Date.now();
    runner.child!.kill('SIGSTOP');
    const notReady = await waitFor(
      () => ready(h)?.status === 'False' && ready(h),
      GRACE_MS + 5_000,
      'NotReady while the runner is stopped',
    );
    const detectedMs = Date.now() - stoppedAtMs;
    expect(notReady.reason).to.equal('RunnerNotResponding');
    expect(notReady.message).to.match(
      /^runner at .+ has not answered for \d+s; pods keep their last known status$/,
    );
    // Silence is dated from the last answer, at most one heartbeat before the stop.
    expect(detectedMs).to.be.within(GRACE_MS - HEARTBEAT_MS - 100, GRACE_MS + 1_000);
    if (keepalive)
      expect(kubelet.link.isSynced(), 'the unanswered pings dropped the connection').to.equal(false);
    // Three more unanswered health checks (more than a grace period): the reason stays, nothing is concluded.
    const silentChecks = await heartbeats(h, 'silent');
    await waitForAsync(
      async () => (await heartbeats(h, 'silent')) >= silentChecks + 3,
      15_000,
      'silent checks',
    );
    expect(ready(h)?.reason).to.equal('RunnerNotResponding');
    expect(phase(h, 's1')).to.equal('Running');
    expect(h.api.statusPatches.length, 'no pod status written while the runner is silent').to.equal(
      patchesBefore,
    );

    const continuedAtMs = Date.now();
    runner.child!.kill('SIGCONT');
    await waitFor(() => ready(h)?.status === 'True', 10_000, 'Ready after SIGCONT');
    const recoveredMs = Date.now() - continuedAtMs;
    expect(recoveredMs).to.be.below(HEARTBEAT_MS + 1_000);
    expect(kubelet.link.isSynced()).to.equal(true);
    expect(phase(h, 's1')).to.equal('Running');
    const resumed = (await reconnects(h)) - reconnectsBefore;
    process.stdout.write(
      `      detected after ${detectedMs} ms (grace ${GRACE_MS} ms, heartbeat ${HEARTBEAT_MS} ms), ` +
        `Ready ${recoveredMs} ms after SIGCONT, ${resumed} watch resumption(s)\n`,
    );
    if (keepalive) expect(resumed, 'the dropped connection was replaced and the watch resumed').to.equal(1);

    h.api.markDeleting('default', 's1', 2);
    await waitFor(
      () => h.api.deletedPods.some((p) => p.name === 's1'),
      20_000,
      's1 deleted through the runner',
    );
  }

  it('over a unix socket: NotReady (RunnerNotResponding) within the grace period, Ready again after SIGCONT', async () => {
    runner = new RunnerHarness();
    await runner.startProcess();
    await stopAndContinue({ target: `unix://${runner.socketPath}`, transport: 'unix', insecure: false });
  });

  it("accepts the kubelet's keepalive pings on a unix socket, even every 50 ms: the connection is never dropped", async () => {
    runner = new RunnerHarness();
    await runner.startProcess();
    const kubelet = await h.startKubelet(
      {
        runner: { target: `unix://${runner.socketPath}`, transport: 'unix', insecure: false },
        runnerUnreachableGraceSeconds: 1,
      },
      { keepalive: { timeMs: 50, timeoutMs: 1_000 } },
    );
    await waitFor(() => kubelet.link.isSynced(), 10_000, 'link synced');
    const answered = await heartbeats(h, 'answered');
    // 10 more health checks answered, 250 ms apart: some 50 pings, each acknowledged, or the connection drops.
    await waitForAsync(
      async () => (await heartbeats(h, 'answered')) >= answered + 10,
      10_000,
      'answered checks',
    );
    expect(await reconnects(h), 'no watch had to resume').to.equal(0);
    expect(kubelet.link.isSynced()).to.equal(true);
  });

  it('over TCP with mutual TLS, the stopped connection dropped by keepalive: same, and the watch resumes', async () => {
    runner = new RunnerHarness();
    const ca = await createTestCa(runner.workDir, 'runner-ca');
    const server = await ca.issueServer('runner');
    const client = await ca.issueClient('kubelet', []);
    const certPath = path.join(runner.workDir, 'kubelet.crt');
    const keyPath = path.join(runner.workDir, 'kubelet.key');
    writeFileSync(certPath, client.certPem);
    writeFileSync(keyPath, client.keyPem, { mode: 0o600 });
    const port = await freePort();
    runner.args = () => [
      '--listen',
      `tcp://127.0.0.1:${port}`,
      '--tls-cert',
      server.certPath,
      '--tls-key',
      server.keyPath,
      '--client-ca',
      ca.certPath,
      '--root-dir',
      runner.rootDir,
      '--v',
      '3',
    ];
    await runner.startProcess();
    await stopAndContinue(
      {
        target: `127.0.0.1:${port}`,
        transport: 'tcp',
        insecure: false,
        caPath: ca.certPath,
        certPath,
        keyPath,
      },
      // Pings unanswered for 0.3 s drop the connection while the runner is stopped.
      { timeMs: 300, timeoutMs: 300 },
    );
  });
});
