import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DeletedPods } from '../../../../src/runner/pods/deleted-pods.js';
import { InvalidInputError, PreconditionError } from '../../../../src/common/errors.js';
import { PodManager } from '../../../../src/runner/pods/pod-manager.js';
import type { PodRecord } from '../../../../src/runner/pods/pod-record.js';
import type { PodStateStore } from '../../../../src/runner/pods/state-persistence.js';
import { WatchHub } from '../../../../src/runner/server/watch-hub.js';
import { FakeWorld, silent, USER_RUNNER_SECURITY } from '../support/fake-world.js';
import { pod } from '../files/volume-plan.test.js';

describe('pod-manager (fake processes, temp root)', () => {
  let root: string;
  let w: FakeWorld;
  let saved: Map<string, PodRecord>;
  let manager: PodManager;
  const savedWhenLaunched: boolean[] = [];

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-manager-'));
    w = new FakeWorld();
    saved = new Map();
    const store = {
      save: (r: PodRecord) => saved.set(r.uid, JSON.parse(JSON.stringify(r)) as PodRecord),
      remove: (uid: string) => saved.delete(uid),
      loadAll: () => [],
    } as unknown as PodStateStore;
    const { onChange: _c, onFinished: _f, ...deps } = w.deps();
    const launch = deps.launch;
    manager = new PodManager(
      root,
      store,
      new WatchHub(),
      {
        ...deps,
        security: USER_RUNNER_SECURITY,
        launch: (plan, dir, token) => {
          savedWhenLaunched.push(saved.has('u1'));
          return launch(plan, dir, token);
        },
      },
      new DeletedPods(undefined, silent),
      silent,
    );
    w.pods = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('the record is saved before any process starts', () => {
    savedWhenLaunched.length = 0;
    manager.create(pod());
    expect(savedWhenLaunched).to.deep.equal([true]);
    expect(saved.get('u1')?.containers[0]?.state.state, 'saved again once started').to.equal('running');
  });

  it('a uid deleted before is refused with FAILED_PRECONDITION; retries during deletion get the pod', async () => {
    const created = manager.create(pod());
    w.pods = manager.runtimes();
    manager.delete('u1', undefined);
    expect(manager.create(pod()).uid, 'still being deleted: the same pod').to.equal(created.uid);
    w.exit(created.containerStatuses![0]!.pgid!, 143);
    await w.clock.advance(4);
    expect(manager.podCount).to.equal(0);
    expect(() => manager.create(pod())).to.throw(
      PreconditionError,
      /pod uid u1 was deleted from this runner/,
    );
    expect(manager.delete('u1', 0)).to.deep.equal({ found: false, pod: undefined });
  });

  it('an empty uid is INVALID_ARGUMENT naming the field; a grace period below 2 s is 2 s', () => {
    expect(() => manager.get('')).to.throw(InvalidInputError, 'uid: must not be empty');
    expect(() => manager.delete('', 1)).to.throw(InvalidInputError, 'uid: must not be empty');
    manager.create(pod());
    manager.delete('u1', 0);
    expect(manager.find({ uid: 'u1' }).record.gracePeriodSeconds).to.equal(2);
  });
});
