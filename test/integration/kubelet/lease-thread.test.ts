import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { parseKubeconfig } from '../../../src/kubelet/kube/kubeconfig.js';
import { LeaseThread, type LeaseThreadOptions } from '../../../src/kubelet/node/lease-thread.js';
import { fakeKubeconfig } from './support/fake-kube-http.js';
import type { KubeHttpCall } from './support/kube-http-thread.js';

/** The fake API server on a thread of its own: it answers while this thread is blocked. */
class KubeHttpThread {
  private readonly worker = new Worker(new URL('./support/kube-http-thread.js', import.meta.url));

  port(): Promise<number> {
    return new Promise((resolve) =>
      this.worker.once('message', (m: { type: string; port: number }) => resolve(m.port)),
    );
  }

  calls(): Promise<KubeHttpCall[]> {
    return new Promise((resolve) => {
      const onMessage = (m: { type: string; calls: KubeHttpCall[] }): void => {
        if (m.type !== 'calls') return;
        this.worker.off('message', onMessage);
        resolve(m.calls);
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage('calls');
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Blocks this thread (its event loop, timers and all) for `ms`; returns when it was blocked. */
function blockMainThread(ms: number): { fromMs: number; toMs: number } {
  const fromMs = Date.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return { fromMs, toMs: Date.now() };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const renewals = (calls: KubeHttpCall[], fromMs = 0, toMs = Infinity): KubeHttpCall[] =>
  calls.filter((c) => c.op === 'replaceLease' && c.atMs > fromMs && c.atMs < toMs);

describe('LeaseThread: node Leases renewed on a thread of their own', function () {
  this.timeout(30_000);
  let api: KubeHttpThread;
  let thread: LeaseThread | undefined;
  let options: LeaseThreadOptions;
  const lines: string[] = [];

  beforeEach(async () => {
    api = new KubeHttpThread();
    const port = await api.port();
    lines.length = 0;
    options = {
      kube: parseKubeconfig(fakeKubeconfig(port), '/nonexistent/kubeconfig', () => ''),
      userAgent: 'vk-cmd-test',
      maxSockets: 2,
      verbosity: -1,
      stallLimitMs: 10_000,
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
      aliveIntervalMs: 100,
      tallyIntervalMs: 200,
      restartDelayMs: 100,
    };
  });

  afterEach(async () => {
    await thread?.close();
    thread = undefined;
    await api.stop();
  });

  const startLease = (t: LeaseThread, counts: string[] = []) => {
    const lease = t.lease(
      { nodeName: 'n1', leaseDurationSeconds: 40, renewIntervalMs: 200, nodeUid: () => 'uid-1' },
      {
        apiserverRequestsTotal: {
          inc: ({ verb, resource, code }, amount = 1) =>
            counts.push(`${verb} ${resource} ${code} x${amount}`),
        },
      },
    );
    lease.start();
    return lease;
  };

  it('keeps renewing while the main thread is blocked for 3 s', async () => {
    thread = new LeaseThread(options);
    thread.start();
    startLease(thread);
    await until(async () => renewals(await api.calls())[0], 10_000, 'a first renewal');
    const blocked = blockMainThread(3000);
    const during = renewals(await api.calls(), blocked.fromMs, blocked.toMs);
    // One every 200 ms: about 15. Renewals timed on this thread would make none.
    expect(during.length, JSON.stringify(during)).to.be.at.least(3);
  });

  it('stops renewing while the main thread has not run for the stall limit, and goes on once it runs', async () => {
    thread = new LeaseThread({ ...options, stallLimitMs: 500 });
    thread.start();
    startLease(thread);
    await until(async () => renewals(await api.calls())[0], 10_000, 'a first renewal');
    const blocked = blockMainThread(3000);
    const calls = await api.calls();
    // Past the limit (and a renewal's own time), nothing more arrives until the main thread runs again.
    expect(renewals(calls, blocked.fromMs + 1500, blocked.toMs)).to.deep.equal([]);
    await until(
      async () => renewals(await api.calls(), blocked.toMs)[0],
      10_000,
      'a renewal after the block',
    );
    expect(lines.join('')).to.not.include('Lease thread exited');
  });

  it("counts the thread's requests in the node's metrics, and deletes the Lease", async () => {
    thread = new LeaseThread(options);
    thread.start();
    const counts: string[] = [];
    const lease = startLease(thread, counts);
    await until(
      async () => (counts.some((c) => c.startsWith('update leases 200')) ? true : undefined),
      10_000,
      'a counted update',
    );
    expect(counts).to.include('get leases 404 x1');
    expect(counts).to.include('create leases 201 x1');
    lease.stop();
    await lease.deleteLease();
    expect((await api.calls()).map((c) => c.op)).to.include('deleteLease');
    expect(counts).to.include('delete leases 200 x1');
    // A second delete finds the Lease gone, which is no error.
    await lease.deleteLease();
  });

  it('starts a thread that exited again, with the Leases it was renewing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-lease-thread-'));
    process.env['VKCMD_TEST_LEASE_THREAD_MARKER'] = path.join(dir, 'exited');
    try {
      thread = new LeaseThread({
        ...options,
        workerUrl: new URL('./support/lease-worker-exits-once.js', import.meta.url),
      });
      thread.start();
      startLease(thread);
      await until(
        async () => (lines.join('').includes('Lease thread exited') ? true : undefined),
        10_000,
        'the thread to exit',
      );
      const exitedAtMs = Date.now();
      await until(
        async () => renewals(await api.calls(), exitedAtMs)[0],
        10_000,
        'a renewal by the new thread',
      );
      const line = JSON.parse(lines.find((l) => l.includes('Lease thread exited'))!) as { exitCode: number };
      expect(line.exitCode).to.equal(3);
    } finally {
      delete process.env['VKCMD_TEST_LEASE_THREAD_MARKER'];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
