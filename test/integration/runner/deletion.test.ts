import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import {
  DOUBLE_FORK_SCRIPT,
  eventually,
  isAlive,
  isRunning,
  isTerminated,
  pidFile,
  podProcessesUnder,
  RunnerHarness,
  scriptPod,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

const podDir = (h: RunnerHarness, spec: PodSpec): string => path.join(h.rootDir, spec.namespace!, spec.name!);

describe('runner: deletion reaches every process of the pod', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;
  let leftover: string;

  before(async () => {
    h = new RunnerHarness();
    // What a runner that stopped before cleaning up left behind.
    leftover = path.join(h.rootDir, 'ns-old', '.gone.stale-1700000000000');
    mkdirSync(path.join(leftover, 'containers'), { recursive: true });
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  async function deleteAndWait(spec: PodSpec, gracePeriodSeconds: number, timeoutMs = 15_000) {
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds });
    return watcher.waitForDeleted(spec.uid!, timeoutMs);
  }

  it('a double-forked daemon does not survive deletion', async () => {
    const spec = scriptPod('daemon', DOUBLE_FORK_SCRIPT);
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const daemon = await pidFile(h.rootDir, spec, 'daemon.pid');
    expect(isAlive(daemon)).to.equal(true);
    await deleteAndWait(spec, 5);
    expect(isAlive(daemon)).to.equal(false);
    expect(podProcessesUnder(podDir(h, spec))).to.deep.equal([]);
  });

  it('the setsid child of a container that already completed is killed when the pod is deleted', async () => {
    const spec = scriptPod(
      'orphan',
      "setsid sh -c 'echo $$ > child.pid; exec sleep 300' &\nwhile [ ! -s child.pid ]; do sleep 0.02; done\n",
    );
    await h.create(spec);
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(terminated(done, 'c1').reason).to.equal('Completed');
    const child = await pidFile(h.rootDir, spec, 'child.pid');
    expect(isAlive(child), 'outlives its container').to.equal(true);
    await deleteAndWait(spec, 5);
    expect(isAlive(child)).to.equal(false);
  });

  it('deletion ends when a process that outlived the group exits, not when the grace period does', async () => {
    const spec = scriptPod(
      'slowstray',
      [
        `setsid bash -c 'trap "sleep 0.5; exit 0" TERM; echo $$ > stray.pid; while :; do sleep 0.05; done' &`,
        'while [ ! -s stray.pid ]; do sleep 0.02; done',
        'exec sleep 300',
        '',
      ].join('\n'),
    );
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    const stray = await pidFile(h.rootDir, spec, 'stray.pid');
    const deleted = await deleteAndWait(spec, 30);
    expect(terminated(deleted.pod!, 'c1').message).to.equal(
      'stopped by pod deletion within the 30 s grace period',
    );
    expect(isAlive(stray)).to.equal(false);
  });

  it('grace period 0 means the 2 s minimum, then SIGKILL', async () => {
    const spec = scriptPod('now', "trap '' TERM\necho ready\nsleep 100\n");
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    // Running only means the group exists; SIGTERM before the trap is set would end the script.
    const stdout = path.join(podDir(h, spec), 'containers', 'c1', 'stdout');
    await eventually(
      () => existsSync(stdout) && readFileSync(stdout, 'utf8').includes('ready'),
      10_000,
      'trap set',
    );
    const deleted = await deleteAndWait(spec, 0);
    const t = terminated(deleted.pod!, 'c1');
    expect([t.exitCode, t.signal, t.message]).to.deep.equal([137, 9, 'killed after 2 s grace period']);
  });

  it('a CreatePod retried after its DeletePod completed is refused and runs nothing', async () => {
    const spec = scriptPod('once', 'echo hi\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    await deleteAndWait(spec, 5);
    const err = await h.create(spec).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err?.code).to.equal(grpc.status.FAILED_PRECONDITION);
    expect(err?.details).to.contain(`pod uid ${spec.uid} was deleted from this runner`);
    expect(existsSync(podDir(h, spec))).to.equal(false);
    const list = await unary<object, { pods: Array<{ uid: string }> }>(h.client, 'ListPods', {});
    expect(list.pods.map((p) => p.uid)).to.not.include(spec.uid);
  });

  it('old directories of the same pod name go, and so does the namespace directory once it is empty', async () => {
    await eventually(
      () => !existsSync(path.dirname(leftover)),
      10_000,
      'leftover from before the start removed',
    );
    const spec = scriptPod('reuse', 'echo hi\n', { namespace: 'ns-clean' });
    const old = path.join(h.rootDir, 'ns-clean', 'reuse');
    mkdirSync(old, { recursive: true });
    writeFileSync(path.join(old, 'old-file'), 'x');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    await eventually(
      () => readdirSync(path.dirname(old)).every((n) => !n.startsWith('.reuse.stale-')),
      10_000,
      'stale directory removed',
    );
    expect(existsSync(path.join(old, 'old-file'))).to.equal(false);
    await deleteAndWait(spec, 5);
    expect(existsSync(path.join(h.rootDir, 'ns-clean'))).to.equal(false);
  });
});

describe('runner: --keep-pod-dirs', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness(['--keep-pod-dirs']);
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  it('keeps a deleted pod directory; a new pod of the same name moves it aside and keeps it', async () => {
    const stdout = (dir: string) => readFileSync(path.join(dir, 'containers', 'c1', 'stdout'), 'utf8');
    const first = scriptPod('kept', 'echo one\n');
    await h.create(first);
    await watcher.waitForPod(first.uid!, isTerminated('c1'));
    await unary(h.client, 'DeletePod', { uid: first.uid, gracePeriodSeconds: 5 });
    await watcher.waitForDeleted(first.uid!);
    const dir = podDir(h, first);
    expect(stdout(dir)).to.equal('one\n');

    const second = scriptPod('kept', 'echo two\n');
    await h.create(second);
    await watcher.waitForPod(second.uid!, isTerminated('c1'));
    await unary(h.client, 'DeletePod', { uid: second.uid, gracePeriodSeconds: 5 });
    await watcher.waitForDeleted(second.uid!);
    const aside = readdirSync(path.dirname(dir)).filter((n) => n.startsWith('.kept.stale-'));
    expect(aside).to.have.length(1);
    expect(stdout(path.join(path.dirname(dir), aside[0]!))).to.equal('one\n');
    expect(stdout(dir)).to.equal('two\n');
  });
});
