import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import {
  eventually,
  groupMembers,
  isRunning,
  isTerminated,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

describe('runner: deletion, restarts and init containers', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness(['--backoff-initial-ms', '200', '--backoff-max-ms', '800']);
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  async function startReady(spec: PodSpec): Promise<{ pgid: number; dir: string }> {
    await h.create(spec);
    const pod = await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const dir = path.join(h.rootDir, spec.namespace!, spec.name!, 'containers', 'c1');
    await eventually(
      () =>
        existsSync(path.join(dir, 'stdout')) &&
        readFileSync(path.join(dir, 'stdout'), 'utf8').includes('ready'),
      5_000,
      'ready',
    );
    return { pgid: status(pod, 'c1').pgid, dir };
  }

  it('a TERM-ignoring script is killed after the grace period; its escaped descendant too; the directory goes', async () => {
    const script =
      "trap '' TERM\nsetsid sleep 300 &\necho $! > escaped.pid\necho ready\nwhile true; do sleep 0.05; done\n";
    const spec = scriptPod('stubborn', script);
    const { pgid, dir } = await startReady(spec);
    const escaped = Number(readFileSync(path.join(dir, 'escaped.pid'), 'utf8'));
    const started = Date.now();
    const res = await unary<object, { found: boolean; pod: { deleting: boolean } }>(h.client, 'DeletePod', {
      uid: spec.uid,
      gracePeriodSeconds: 2,
    });
    // The reply does not wait for the grace period: the TERM-ignoring group is still there when it comes.
    expect(groupMembers(pgid), 'DeletePod returns before the group is killed').to.not.deep.equal([]);
    expect(res.found).to.equal(true);
    expect(res.pod.deleting).to.equal(true);
    const deleted = await watcher.waitForDeleted(spec.uid!);
    expect(Date.now() - started).to.be.at.least(1_950);
    const t = terminated(deleted.pod!, 'c1');
    expect([t.exitCode, t.signal, t.reason, t.message]).to.deep.equal([
      137,
      9,
      'Error',
      'killed after 2 s grace period',
    ]);
    expect(groupMembers(pgid)).to.deep.equal([]);
    expect(
      existsSync(`/proc/${escaped}`) && !readFileSync(`/proc/${escaped}/stat`, 'utf8').includes(') Z'),
    ).to.equal(false);
    expect(existsSync(path.join(h.rootDir, 'ns1', 'stubborn'))).to.equal(false);
  });

  it('a script that traps TERM exits within the grace period with its own code', async () => {
    // `wait` returns at once on a trapped signal; a killed foreground child would make bash complain on stderr.
    const spec = scriptPod(
      'trapper',
      "trap 'echo got TERM; exit 0' TERM\necho ready\nwhile true; do sleep 0.05 & wait $!; done\n",
    );
    await startReady(spec);
    const started = Date.now();
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 20 });
    const deleted = await watcher.waitForDeleted(spec.uid!);
    // Its own exit code 0 shows the trap ended it, not the SIGKILL at the end of the 20 s grace period.
    expect(Date.now() - started).to.be.below(20_000);
    const t = terminated(deleted.pod!, 'c1');
    expect([t.exitCode, t.reason]).to.deep.equal([0, 'Completed']);
  });

  it('DeletePod of an unknown uid is not an error', async () => {
    const again = await unary<object, { found: boolean }>(h.client, 'DeletePod', { uid: 'never-seen' });
    expect(again.found).to.equal(false);
  });

  it('restartPolicy OnFailure restarts with back-off, keeps restartCount, lastState and the previous logs', async () => {
    const spec = scriptPod(
      'flaky',
      'n=$(cat ../../n 2>/dev/null || echo 0); echo $((n+1)) > ../../n\necho "run $((n+1))"\n[ "$n" -ge 2 ] && exit 0\nexit 4\n',
      {
        restartPolicy: 'OnFailure',
      },
    );
    await h.create(spec);
    const backoff = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').state?.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(status(backoff, 'c1').state?.waiting?.message).to.equal(
      'back-off 200ms restarting failed container=c1 pod=flaky',
    );
    expect(status(backoff, 'c1').lastState?.terminated?.exitCode).to.equal(4);
    expect(status(backoff, 'c1').restartCount).to.equal(0);
    const second = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').state?.waiting?.message?.includes('400ms') === true,
    );
    expect(status(second, 'c1').restartCount).to.equal(1);
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(status(done, 'c1').restartCount).to.equal(2);
    expect(terminated(done, 'c1').reason).to.equal('Completed');
    expect(status(done, 'c1').lastState?.terminated?.exitCode).to.equal(4);
    const dir = path.join(h.rootDir, 'ns1', 'flaky', 'containers', 'c1');
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('run 3\n');
    expect(readFileSync(path.join(dir, 'stdout.previous'), 'utf8')).to.equal('run 2\n');
    // Gaps between runs follow the back-off: 200 ms, then 400 ms.
    const starts = watcher.events
      .filter((e) => e.pod?.uid === spec.uid && e.pod?.containerStatuses[0]?.state?.state === 'running')
      .map((e) => e.pod!.containerStatuses[0]!.state!.running!.startedAtMs);
    const unique = [...new Set(starts)];
    expect(unique.length).to.equal(3);
    expect(unique[1]! - unique[0]!).to.be.at.least(200);
    expect(unique[2]! - unique[1]!).to.be.at.least(400);
  });

  it('restartPolicy Always restarts a completed container', async () => {
    const spec = scriptPod('always', 'echo once\n', { restartPolicy: 'Always' });
    await h.create(spec);
    const pod = await watcher.waitForPod(spec.uid!, (p) => status(p, 'c1').restartCount >= 1);
    expect(status(pod, 'c1').lastState?.terminated?.reason).to.equal('Completed');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    await watcher.waitForDeleted(spec.uid!);
  });

  function initPod(name: string, initScripts: string[], restartPolicy = 'Never'): PodSpec {
    return {
      uid: `uid-init-${name}`,
      namespace: 'ns1',
      name,
      restartPolicy,
      initContainers: initScripts.map((script, i) => ({
        name: `init${i}`,
        image: 'busybox',
        command: ['/bin/sh', '-c', script],
        volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
      })),
      containers: [
        {
          name: 'c1',
          image: 'shared/app.sh',
          command: ['/bin/sh'],
          volumeMounts: [{ name: 'shared', mountPath: 'shared' }],
        },
      ],
      volumes: [{ name: 'shared', emptyDir: {} }],
    };
  }

  it('init containers run first, one at a time, in order, sharing an emptyDir', async () => {
    const spec = initPod('inits', [
      'sleep 0.2; echo first >> shared/order',
      'echo second >> shared/order; echo "echo app; cat shared/order" > shared/app.sh',
    ]);
    const created = await h.create(spec);
    expect(status(created, 'init0').state?.state).to.equal('running');
    expect(status(created, 'init1').state?.waiting?.reason).to.equal('PodInitializing');
    expect(status(created, 'c1').state?.waiting?.reason).to.equal('PodInitializing');
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(terminated(done, 'c1').reason).to.equal('Completed');
    const i0 = terminated(done, 'init0');
    const i1 = terminated(done, 'init1');
    expect(i1.startedAtMs).to.be.at.least(i0.finishedAtMs);
    expect(terminated(done, 'c1').startedAtMs).to.be.at.least(i1.finishedAtMs);
    const out = readFileSync(path.join(h.rootDir, 'ns1', 'inits', 'containers', 'c1', 'stdout'), 'utf8');
    expect(out).to.equal('app\nfirst\nsecond\n');
  });

  it('a failing init container under Never fails the pod; app containers never start', async () => {
    const spec = initPod('initfail', ['exit 3', 'echo never']);
    await h.create(spec);
    const pod = await watcher.waitForPod(spec.uid!, isTerminated('init0'));
    await new Promise((r) => setTimeout(r, 300));
    const later = watcher.pods.get(spec.uid!)!;
    expect(terminated(pod, 'init0').exitCode).to.equal(3);
    expect(status(later, 'init1').state?.waiting?.reason).to.equal('PodInitializing');
    expect(status(later, 'c1').state?.waiting?.reason).to.equal('PodInitializing');
    expect(status(later, 'c1').pgid).to.equal(0);
  });

  it('a failing init container under OnFailure is restarted with back-off', async () => {
    const spec = initPod('initretry', [
      '[ -e shared/tried ] && exit 0; touch shared/tried; exit 1',
      'echo "echo ok" > shared/app.sh',
    ]);
    spec.restartPolicy = 'OnFailure';
    await h.create(spec);
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(status(done, 'init0').restartCount).to.equal(1);
    expect(terminated(done, 'c1').reason).to.equal('Completed');
  });
});
