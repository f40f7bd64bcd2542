import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Container } from '../../../src/generated/vkcmd/runner/v1/Container.js';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { ProbeMetrics__Output } from '../../../src/generated/vkcmd/runner/v1/ProbeMetrics.js';
import type { Stats__Output } from '../../../src/generated/vkcmd/runner/v1/Stats.js';
import {
  eventually,
  isRunning,
  RunnerHarness,
  scriptPod,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

/** A pod running `script` with probes and hooks on its one container, c1. */
function probedPod(
  name: string,
  script: string,
  health: Pick<Container, 'readinessProbe' | 'lifecycle' | 'env'>,
  terminationGracePeriodSeconds?: number,
): PodSpec {
  const spec = scriptPod(name, script);
  Object.assign(spec.containers![0]!, health);
  if (terminationGracePeriodSeconds !== undefined)
    spec.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
  return spec;
}

const exec = (...command: string[]) => ({ exec: { command } });

describe('runner: probe and hook commands (stats, tag, skipped ticks, the minimum grace after preStop)', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness([]);
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  const dirOf = (spec: PodSpec) => path.join(h.rootDir, spec.namespace!, spec.name!, 'containers', 'c1');
  const read = (spec: PodSpec, file: string): string | undefined => {
    const f = path.join(dirOf(spec), file);
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  };

  it("an exec probe's process counts in the container's stats, is tagged, and a long run's dropped ticks are counted", async () => {
    // Once `go` exists each run lasts 3 s at a period of 1 s.
    const probe = 'test -e go || exit 0; echo "$VK_CMD_EXEC_ID" > probe-tag; exec sleep 3';
    const spec = probedPod('probe-stats', 'exec sleep 300\n', {
      readinessProbe: {
        handler: exec('sh', '-c', probe),
        periodSeconds: 1,
        timeoutSeconds: 10,
        successThreshold: 1,
        failureThreshold: 1,
      },
    });
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, (p) => isRunning('c1')(p) && p.containerStatuses[0]!.ready === true);
    const count = async (): Promise<number> => {
      const stats = await unary<object, Stats__Output>(h.client, 'GetStats', {});
      const pod = stats.pods.find((p) => p.uid === spec.uid);
      return pod?.containers.find((c) => c.name === 'c1')?.processCount ?? 0;
    };
    const before = await count();
    writeFileSync(path.join(dirOf(spec), 'go'), '');
    // The shell creates the file before it writes the line: wait for the whole line.
    await eventually(() => read(spec, 'probe-tag')?.endsWith('\n') === true, 10_000, 'a long probe run');
    expect(read(spec, 'probe-tag')).to.equal('probe\n');
    await eventually(async () => (await count()) === before + 1, 10_000, "the probe's process in the stats");
    const skipped = async (): Promise<number> => {
      const metrics = await unary<object, ProbeMetrics__Output>(h.client, 'GetProbeMetrics', {});
      const mine = metrics.counters.find((c) => c.podUid === spec.uid && c.probeType === 'Readiness');
      return Number(mine?.skipped ?? 0);
    };
    await eventually(async () => (await skipped()) >= 2, 15_000, 'ticks dropped during a 3 s run counted');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    await watcher.waitForDeleted(spec.uid!);
  });

  it('a preStop hook that uses up the grace period is cut, and SIGTERM still gets 2 s before SIGKILL', async () => {
    // The container notes when SIGTERM came (outside its pod directory, which deletion
    // removes) and ignores it, so only SIGKILL ends it.
    const outside = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-prestop-'));
    const termAt = path.join(outside, 'term-at');
    const script =
      'trap \'date +%s%3N > "$TERM_AT"\' TERM\necho up > marks\nwhile true; do sleep 0.05 & wait $!; done\n';
    const spec = probedPod(
      'prestop-minimum',
      script,
      { lifecycle: { preStop: exec('sleep', '30') }, env: [{ name: 'TERM_AT', value: termAt }] },
      1,
    );
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    await eventually(() => read(spec, 'marks') !== undefined, 10_000, 'the container up');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 1 });
    const deleted = await watcher.waitForDeleted(spec.uid!);
    const end = terminated(deleted.pod!, 'c1');
    expect(end.exitCode, 'killed').to.equal(137);
    const termAtMs = Number(existsSync(termAt) ? readFileSync(termAt, 'utf8') : 'NaN');
    rmSync(outside, { recursive: true, force: true });
    expect(termAtMs, 'SIGTERM was sent after the hook was cut').to.be.a('number').and.not.NaN;
    // SIGKILL comes 2 s after SIGTERM; the trap notes the time only once bash ran it (and
    // `date` started), which a loaded machine delays, so the bound is looser than 2 s.
    expect(Number(end.finishedAtMs) - termAtMs, 'SIGKILL well after SIGTERM').to.be.at.least(1_000);
  });
});
