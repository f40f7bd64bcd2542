import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { exec, probedPod } from './support/probe-fixtures.js';
import {
  eventually,
  isRunning,
  isTerminated,
  RunnerHarness,
  status,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

describe('runner: lifecycle hooks against real processes', function () {
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
  const marks = (spec: PodSpec): string[] => {
    const file = path.join(dirOf(spec), 'marks');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  };

  it('postStart holds the container in ContainerCreating until it ends; preStop runs before SIGTERM', async () => {
    const script =
      "trap 'echo term >> marks; exit 0' TERM\necho main >> marks\nwhile true; do sleep 0.05 & wait $!; done\n";
    const spec = probedPod('hooks-order', script, {
      lifecycle: {
        postStart: exec('sh', '-c', 'echo poststart >> marks; sleep 1'),
        preStop: exec('sh', '-c', 'echo prestop >> marks; sleep 0.5'),
      },
    });
    await h.create(spec);
    const creating = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').state?.waiting?.reason === 'ContainerCreating' && status(p, 'c1').pgid > 0,
      15_000,
      'waiting during postStart',
    );
    expect(status(creating, 'c1').started).to.equal(false);
    await watcher.waitForPod(spec.uid!, isRunning('c1'), 15_000, 'running after postStart');
    expect(marks(spec)).to.include('poststart');
    await eventually(() => marks(spec).includes('main'), 10_000, 'main mark');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 10 });
    const deleted = await watcher.waitForDeleted(spec.uid!);
    expect(terminated(deleted.pod!, 'c1').exitCode).to.equal(0);
    expect(status(deleted.pod!, 'c1').preStopFailed).to.equal(false);
  });

  it('preStop writes its mark before the container sees SIGTERM', async () => {
    const script =
      "trap 'echo term >> marks; sleep 300' TERM\necho main >> marks\nwhile true; do sleep 0.05 & wait $!; done\n";
    const spec = probedPod(
      'prestop-marks',
      script,
      { lifecycle: { preStop: exec('sh', '-c', 'echo prestop >> marks; sleep 0.5') } },
      { restartPolicy: 'Never' },
    );
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    await eventually(() => marks(spec).includes('main'), 10_000, 'main mark');
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 30 });
    await eventually(() => marks(spec).includes('term'), 15_000, 'term mark');
    expect(marks(spec).filter((m) => m !== '')).to.deep.equal(['main', 'prestop', 'term']);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 2 });
    await watcher.waitForDeleted(spec.uid!);
  });

  it('a failing postStart stops the container: postStartFailed and stopReason FailedPostStartHook', async () => {
    const spec = probedPod(
      'poststart-fail',
      'sleep 300\n',
      { lifecycle: { postStart: exec('sh', '-c', 'exit 3') } },
      { terminationGracePeriodSeconds: 2 },
    );
    await h.create(spec);
    const failed = await watcher.waitForPod(
      spec.uid!,
      (p) => status(p, 'c1').postStartFailed && status(p, 'c1').stopReason === 'FailedPostStartHook',
      15_000,
      'postStart failed',
    );
    expect(status(failed, 'c1').started).to.equal(false);
    await watcher.waitForPod(spec.uid!, isTerminated('c1'), 15_000, 'terminated');
  });
});
