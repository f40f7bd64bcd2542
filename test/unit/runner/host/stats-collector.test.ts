import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ProcessScanner } from '../../../../src/runner/process/process-scanner.js';
import { StatsCollector, type StatsPod } from '../../../../src/runner/host/stats-collector.js';
import { FakeClock } from '../support/fake-clock.js';
import { proc, silent } from '../support/fake-world.js';

/** A pod of one running container, c1, in process group 70; `podDir` gives it a pod directory. */
function runningPod(containerDir: string, podDir?: string): StatsPod {
  return {
    record: {
      uid: 'u1',
      namespace: 'ns',
      name: 'p',
      ...(podDir ? { podDir } : {}),
      containers: [
        { name: 'c1', pgid: 70, dir: containerDir, state: { state: 'running', running: { startedAtMs: 9 } } },
      ],
    },
  } as unknown as StatsPod;
}

/** A collector whose /proc holds group 70 alone, on the fake clock. */
function oneGroupCollector(dir: string, pods: () => StatsPod[], clock: FakeClock): StatsCollector {
  const scanner = {
    snapshot: () => Promise.resolve({ entries: [proc(70, 70)], groups: new Map([[70, [proc(70, 70)]]]) }),
  };
  return new StatsCollector(scanner as unknown as ProcessScanner, dir, pods, dir, 4096, () => clock.nowMs());
}

describe('stats-collector', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-stats-'));
    writeFileSync(path.join(dir, 'stat'), 'cpu  10 0 5 100 0 0 0 0\nbtime 1700000000\n');
    writeFileSync(path.join(dir, 'meminfo'), 'MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one /proc scan per GetStats call, shared by calls made together', async () => {
    const clock = new FakeClock();
    let scans = 0;
    const scanner = new ProcessScanner(
      {
        scan: () => {
          scans++;
          return [proc(70, 70, { utimeTicks: 3, rssPages: 2 }), proc(71, 70, { rssPages: 1 }), proc(80, 80)];
        },
        readPodIdentity: () => undefined,
      },
      clock,
      () => new Set([70]),
      silent,
      1,
      () => clock.nowMs(),
    );
    const pod = {
      record: {
        uid: 'u1',
        namespace: 'ns',
        name: 'p',
        containers: [{ name: 'c1', pgid: 70, dir, state: { state: 'running', running: { startedAtMs: 9 } } }],
      },
    } as unknown as StatsPod;
    const stats = new StatsCollector(
      scanner,
      dir,
      () => [pod],
      dir,
      4096,
      () => clock.nowMs(),
    );
    const first = stats.collect();
    await clock.advance(2);
    const result = await first;
    expect(scans).to.equal(1);
    const c = result.pods![0]!.containers![0]!;
    expect([c.cpuUsageCoreNanoseconds, c.memoryRssBytes, c.processCount]).to.deep.equal([
      30_000_000,
      3 * 4096,
      2,
    ]);
    expect(result.node?.processCount).to.equal(3);
    const together = [stats.collect(), stats.collect()];
    await clock.advance(2);
    await Promise.all(together);
    expect(scans).to.equal(2);
  });

  it('measures disk use (logs and the rest) at most every 30 s per container', async () => {
    const clock = new FakeClock();
    const containerDir = path.join(dir, 'c1');
    mkdirSync(containerDir);
    writeFileSync(path.join(containerDir, 'stdout'), 'x'.repeat(10));
    writeFileSync(path.join(containerDir, 'script.sh'), 'y'.repeat(5));
    const pod = runningPod(containerDir);
    const stats = oneGroupCollector(dir, () => [pod], clock);
    const fsOf = async (): Promise<number[]> => {
      const c = (await stats.collect()).pods![0]!.containers![0]!;
      return [Number(c.logsBytes), Number(c.rootfsBytes)];
    };
    expect(await fsOf()).to.deep.equal([10, 5]);
    writeFileSync(path.join(containerDir, 'stdout'), 'x'.repeat(20));
    await clock.advance(29_000);
    expect(await fsOf()).to.deep.equal([10, 5]);
    await clock.advance(1_000);
    expect(await fsOf()).to.deep.equal([20, 5]);
  });

  it("lists a pod's emptyDir volumes at most every 30 s, and forgets pods that are gone", async () => {
    const clock = new FakeClock();
    const podDir = path.join(dir, 'pod');
    const containerDir = path.join(podDir, 'containers', 'c1');
    mkdirSync(containerDir, { recursive: true });
    const pod = runningPod(containerDir, podDir);
    let pods: StatsPod[] = [pod];
    const stats = oneGroupCollector(dir, () => pods, clock);
    const volumesOf = async (): Promise<Array<[string, number]>> =>
      ((await stats.collect()).pods?.[0]?.volumes ?? []).map((v) => [String(v.name), Number(v.usedBytes)]);
    // No volumes directory yet: none, and that answer is kept like a measurement.
    expect(await volumesOf()).to.deep.equal([]);
    mkdirSync(path.join(podDir, 'volumes', 'scratch'), { recursive: true });
    writeFileSync(path.join(podDir, 'volumes', 'scratch', 'data'), 'z'.repeat(7));
    await clock.advance(29_000);
    expect(await volumesOf()).to.deep.equal([]);
    await clock.advance(1_000);
    expect(await volumesOf()).to.deep.equal([['scratch', 7]]);
    // A collection without the pod drops what was cached for it: it is read afresh when it is back.
    pods = [];
    await stats.collect();
    writeFileSync(path.join(podDir, 'volumes', 'scratch', 'data'), 'z'.repeat(9));
    pods = [pod];
    expect(await volumesOf()).to.deep.equal([['scratch', 9]]);
  });

  it('a container that ends while its disk use is measured is reported as it was when the scan began', async () => {
    const scanner = {
      snapshot: () => Promise.resolve({ entries: [proc(70, 70)], groups: new Map([[70, [proc(70, 70)]]]) }),
    };
    const container: Record<string, unknown> = { name: 'c1', pgid: 70, dir: path.join(dir, 'gone') };
    let reads = 0;
    // The runtime replaces the state object when the container ends; here it ends after the first read.
    Object.defineProperty(container, 'state', {
      get: () =>
        reads++ === 0
          ? { state: 'running', running: { startedAtMs: 9 } }
          : { state: 'terminated', terminated: { exitCode: 0 } },
    });
    const pod = {
      record: { uid: 'u1', namespace: 'ns', name: 'p', containers: [container] },
    } as unknown as StatsPod;
    const stats = new StatsCollector(scanner as unknown as ProcessScanner, dir, () => [pod], dir, 4096);
    const result = await stats.collect();
    expect(result.pods![0]!.containers![0]!.startedAtMs).to.equal(9);
  });
});
