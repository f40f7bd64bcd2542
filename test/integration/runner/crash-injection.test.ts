import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import { CRASH_POINTS } from '../../../src/runner/crash-points.js';
import {
  eventually,
  podProcessesUnder,
  RunnerHarness,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

/*
 * The runner is killed with SIGKILL again and again at randomly chosen
 * points of its start, exit and deletion paths (VK_CMD_TEST_CRASH_POINTS,
 * see src/runner/crash-points.ts), or by the test when the point is not
 * reached, while pods are created and deleted; each time it is started
 * again. Every container appends its name to its pod's `starts` file and
 * exits with a code of its own. At the end no name may appear twice and
 * every container must report its own code. VK_CMD_CRASH_KILLS sets the
 * number of kills (40 by default: a restart costs the runner's start-up,
 * about 0.5 s idle and several seconds on a loaded host; `make test-crash`
 * runs 1,000), VK_CMD_CRASH_SEED the seed.
 */

const KILLS = Number(process.env['VK_CMD_CRASH_KILLS'] ?? 40);
const SEED = Number(process.env['VK_CMD_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const CODES = [0, 1, 3, 42, 77];

/** mulberry32: a small seeded generator, so a failing run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TestPod {
  spec: PodSpec;
  /** Expected exit code per container name. */
  codes: Map<string, number>;
  created: boolean;
  deleteAsked: boolean;
  deleted: boolean;
}

describe('runner: killed at random points while pods start, end and are deleted', function () {
  this.timeout(120_000 + KILLS * 6_000);
  let h: RunnerHarness;

  before(() => {
    h = new RunnerHarness();
    // Every start resumes all pods of the run so far; on a loaded host that is slow.
    h.startTimeoutMs = 60_000;
  });
  after(async () => h.close());

  it(`${KILLS} kills: no script starts twice and every exit code is right (seed ${SEED})`, async () => {
    const random = rng(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pods: TestPod[] = [];
    const podDir = (p: TestPod): string => path.join(h.rootDir, p.spec.namespace!, p.spec.name!);
    const starts = (p: TestPod): string[] => {
      // Read without a prior existence check: a deletion resuming in the new runner may remove the
      // directory between the two (a pod deleted was checked before its deletion was asked).
      try {
        return readFileSync(path.join(podDir(p), 'starts'), 'utf8')
          .split('\n')
          .filter(Boolean);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    };
    const checkNoRerun = (where: string): void => {
      for (const p of pods) {
        const seen = starts(p);
        expect(seen.length, `${where}: ${p.spec.name} started ${seen.join(',')} (seed ${SEED})`).to.equal(
          new Set(seen).size,
        );
      }
    };
    const newPod = (i: number): TestPod => {
      const codes = new Map<string, number>();
      const container = (name: string, code: number) => {
        codes.set(name, code);
        const sleep = (random() * 0.4).toFixed(2);
        return {
          name,
          image: 'none',
          command: [
            'sh',
            '-c',
            `echo "$VK_CMD_CONTAINER_NAME" >> "$VK_CMD_CONTAINER_DIR/../../starts"; sleep ${sleep}; exit ${code}`,
          ],
        };
      };
      const app = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) =>
        container(`c${k}`, pick(CODES)),
      );
      const init = random() < 0.3 ? [container('init0', 0)] : [];
      return {
        spec: {
          uid: `crash-${SEED}-${i}`,
          namespace: 'crash',
          name: `p${i}`,
          restartPolicy: 'Never',
          initContainers: init,
          containers: app,
        },
        codes,
        created: false,
        deleteAsked: false,
        deleted: false,
      };
    };
    const allTerminated = (p: Pod__Output): boolean =>
      [...p.initContainerStatuses, ...p.containerStatuses].every((c) => c.state?.state === 'terminated');
    const checkCodes = (p: TestPod, pod: Pod__Output): void => {
      for (const c of [...pod.initContainerStatuses, ...pod.containerStatuses]) {
        const t = c.state?.terminated;
        expect(
          [t?.exitCode, t?.reason],
          `${p.spec.name}/${c.name}: ${JSON.stringify(t)} (seed ${SEED})`,
        ).to.deep.equal([p.codes.get(c.name), p.codes.get(c.name) === 0 ? 'Completed' : 'Error']);
      }
    };
    const call = (fn: () => Promise<unknown>): Promise<boolean> =>
      fn().then(
        () => true,
        () => false,
      );

    let next = 0;
    let kills = 0;
    let killedByTest = 0;
    const byPoint = new Map<string, number>();
    while (kills < KILLS) {
      const point = pick(CRASH_POINTS);
      const armed = `${point}:${1 + Math.floor(random() * 3)}`;
      try {
        await h.startProcess({ VK_CMD_TEST_CRASH_POINTS: armed });
      } catch (err) {
        // Killed at its point while starting (resuming pods): that was the kill.
        if (h.child?.signalCode !== 'SIGKILL') throw err;
        kills++;
        byPoint.set(point, (byPoint.get(point) ?? 0) + 1);
        continue;
      }
      const child = h.child!;
      const died = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const watcher: PodWatcher = h.watch();
      checkNoRerun(`after restart ${kills}`);
      // Pods the last runner forgot while deleting them are gone (known only once SYNCED came).
      await eventually(
        () =>
          watcher.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED') ||
          child.exitCode !== null ||
          child.signalCode !== null,
        60_000,
        'synced',
      );
      const synced = watcher.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED');
      for (const p of pods) if (synced && p.deleteAsked && !watcher.pods.has(p.spec.uid!)) p.deleted = true;

      const work: Array<Promise<unknown>> = [];
      for (let k = 0; k < 2; k++) pods.push(newPod(next++));
      for (const p of pods.filter((x) => !x.created)) {
        work.push(call(() => h.create(p.spec)).then((ok) => (p.created ||= ok)));
      }
      const done = pods.filter(
        (p) =>
          p.created &&
          !p.deleteAsked &&
          watcher.pods.has(p.spec.uid!) &&
          allTerminated(watcher.pods.get(p.spec.uid!)!),
      );
      for (const p of done.slice(0, 2)) {
        checkCodes(p, watcher.pods.get(p.spec.uid!)!);
        checkNoRerun('before delete');
        // A call that fails as the runner dies may still have taken effect: asked is asked.
        p.deleteAsked = true;
      }
      for (const p of pods.filter((x) => x.deleteAsked && !x.deleted)) {
        work.push(call(() => unary(h.client, 'DeletePod', { uid: p.spec.uid, gracePeriodSeconds: 0 })));
      }
      // Until it dies at its point, or, when that is not reached, until the work is done and the test kills it.
      const settled = Promise.all(work).then(() => new Promise((r) => setTimeout(r, random() * 300)));
      const atPoint = await Promise.race([died.then(() => true), settled.then(() => false)]);
      await h.killProcess('SIGKILL');
      watcher.cancel();
      kills++;
      if (atPoint) byPoint.set(point, (byPoint.get(point) ?? 0) + 1);
      else killedByTest++;
      // Every restart checked the starts files: a long run reports how far it got without a re-run.
      if (kills % 100 === 0)
        process.stdout.write(`      ${kills} kills, ${pods.length} pods, 0 re-runs so far\n`);
    }

    await h.startProcess();
    const watcher = h.watch();
    for (const p of pods.filter((x) => !x.created)) {
      await h.create(p.spec);
      p.created = true;
    }
    await eventually(
      () => watcher.events.some((e) => e.type === 'WATCH_EVENT_TYPE_SYNCED'),
      60_000,
      'synced',
    );
    for (const p of pods) if (p.deleteAsked && !watcher.pods.has(p.spec.uid!)) p.deleted = true;
    for (const p of pods.filter((x) => !x.deleted && !x.deleteAsked)) {
      const pod = await watcher.waitForPod(p.spec.uid!, allTerminated, 30_000);
      checkCodes(p, pod);
      const seen = starts(p).sort();
      expect(seen, `${p.spec.name}: starts (seed ${SEED})`).to.deep.equal([...p.codes.keys()].sort());
    }
    checkNoRerun('at the end');
    for (const p of pods.filter((x) => !x.deleted)) {
      await unary(h.client, 'DeletePod', { uid: p.spec.uid, gracePeriodSeconds: 0 });
    }
    for (const p of pods.filter((x) => !x.deleted)) {
      if (watcher.pods.has(p.spec.uid!)) await watcher.waitForDeleted(p.spec.uid!, 30_000);
    }
    expect(podProcessesUnder(h.rootDir)).to.deep.equal([]);
    const list = await unary<object, { pods: unknown[] }>(h.client, 'ListPods', {});
    expect(list.pods).to.have.length(0);
    process.stdout.write(
      `      crash injection: ${kills} kills (${killedByTest} by the test, the rest at their point: ${JSON.stringify(Object.fromEntries(byPoint))}), ${pods.length} pods, 0 re-runs, 0 wrong exit codes\n`,
    );
  });
});
