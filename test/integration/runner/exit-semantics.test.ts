import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

const STRESS_SH = `#!/bin/bash
# Burn $2 CPUs for $1 seconds.
timeout=$1
cpus=$2
echo "stressing $cpus cpu(s) for $timeout s"
for _ in $(seq 1 "$cpus"); do
  (end=$((SECONDS + timeout)); while [ "$SECONDS" -lt "$end" ]; do :; done) &
done
wait
echo "done"
`;

describe('runner: exit semantics (real processes, gRPC on a unix socket)', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    // The runner passes its own environment on to the containers.
    process.env['PATH_FROM_RUNNER'] = 'inherited';
    h = new RunnerHarness();
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  it("runs the wiki's example pod: script from the configMap, pgid file, Completed/0", async () => {
    const spec: PodSpec = {
      uid: 'wiki-p1',
      namespace: 'default',
      name: 'p1',
      restartPolicy: 'Never',
      containers: [
        {
          name: 'c1',
          image: 'direct-stress',
          command: ['bash'],
          args: ['2', '1'],
          volumeMounts: [{ name: 'direct-stress', mountPath: 'stress/job1' }],
        },
      ],
      volumes: [
        {
          name: 'direct-stress',
          configMap: { sourceName: 'direct-stress', data: { 'stress.sh': Buffer.from(STRESS_SH) } },
        },
      ],
    };
    const created = await h.create(spec);
    expect(status(created, 'c1').state?.state).to.equal('running');
    const dir = path.join(h.rootDir, 'default', 'p1', 'containers', 'c1');
    const pgid = Number(readFileSync(path.join(dir, 'pgid'), 'utf8'));
    expect(pgid).to.equal(status(created, 'c1').pgid);
    expect(groupMembers(pgid).length).to.be.greaterThan(0);
    expect(readFileSync(path.join(dir, 'stress', 'job1', 'stress.sh'), 'utf8')).to.equal(STRESS_SH);
    const done = await watcher.waitForPod('wiki-p1', isTerminated('c1'), 20_000);
    const t = terminated(done, 'c1');
    expect([t.exitCode, t.reason]).to.deep.equal([0, 'Completed']);
    expect(t.startedAtMs).to.be.greaterThan(0);
    // bash's SECONDS counts whole seconds, so a 2 s burn lasts between 1 and 2 s.
    expect(t.finishedAtMs - t.startedAtMs).to.be.at.least(900);
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('stressing 1 cpu(s) for 2 s\ndone\n');
    expect(groupMembers(pgid)).to.deep.equal([]);
  });

  const cases = [
    { name: 'clean', script: 'echo hello\nexit 0\n', exitCode: 0, reason: 'Completed', message: '' },
    {
      name: 'stderr',
      script: 'echo oops >&2\nexit 0\n',
      exitCode: 3,
      reason: 'stderrNotEmpty',
      message: 'The stderr file is not empty.',
    },
    { name: 'seven', script: 'exit 7\n', exitCode: 7, reason: 'Error', message: '' },
    // sh cannot tell these two apart (both are 128+N); neither is reported as a signal.
    { name: 'killed', script: 'kill -9 $$\n', exitCode: 137, reason: 'Error', message: '' },
    { name: 'exit130', script: 'exit 130\n', exitCode: 130, reason: 'Error', message: '' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.reason}/${c.exitCode}`, async () => {
      const spec = scriptPod(c.name, c.script);
      await h.create(spec);
      const pod = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
      const t = terminated(pod, 'c1');
      expect({ exitCode: t.exitCode, signal: t.signal, reason: t.reason, message: t.message }).to.deep.equal({
        exitCode: c.exitCode,
        signal: 0,
        reason: c.reason,
        message: c.message,
      });
      const dir = path.join(h.rootDir, 'ns1', c.name, 'containers', 'c1');
      expect(readFileSync(path.join(dir, 'exitcode'), 'utf8').trim()).to.equal(
        c.name === 'stderr' ? '0' : String(c.exitCode),
      );
    });
  }

  it('a background child keeps the container running until it ends', async () => {
    const script = [
      'echo $$ > main.pid',
      '(while [ ! -e release ]; do sleep 0.05; done) &',
      'exit 0',
      '',
    ].join('\n');
    const spec = scriptPod('background', script);
    await h.create(spec);
    const dir = path.join(h.rootDir, 'ns1', 'background', 'containers', 'c1');
    await eventually(() => existsSync(path.join(dir, 'exitcode')), 10_000, 'main process exited');
    // Well after the main process ended the group still has its child.
    await new Promise((r) => setTimeout(r, 400));
    expect(status(watcher.pods.get(spec.uid!)!, 'c1').state?.state).to.equal('running');
    const released = Date.now();
    writeFileSync(path.join(dir, 'release'), '');
    const pod = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(Date.now() - released).to.be.below(2_000);
    expect(terminated(pod, 'c1').reason).to.equal('Completed');
  });

  it('a missing program is cmdStartError/1 with a message about the command', async () => {
    const spec = scriptPod('badcmd', 'echo hi\n');
    spec.containers![0]!.command = ['bsh'];
    const created = await h.create(spec);
    const t = terminated(created, 'c1');
    expect(t.exitCode).to.equal(1);
    expect(t.reason).to.equal('cmdStartError');
    expect(t.message).to.equal(
      'cmdStartError: exec "bsh": no such file or directory; check the container\'s command',
    );
  });

  it('runs command/args as they are when the image names no mount, with $(VAR) expansion and identity env', async () => {
    const spec: PodSpec = {
      uid: 'plain-cmd',
      namespace: 'ns1',
      name: 'plain',
      containers: [
        {
          name: 'c1',
          image: 'busybox',
          command: [
            '/bin/sh',
            '-c',
            'echo "$0 $1 $VK_CMD_POD_NAME $VK_CMD_CONTAINER_DIR $(pwd)"; echo "$PATH_FROM_RUNNER"',
            '$(GREETING)',
            '$(UNDEFINED)',
          ],
          env: [{ name: 'GREETING', value: 'hello world' }],
        },
      ],
    };
    await h.create(spec);
    await watcher.waitForPod('plain-cmd', isTerminated('c1'));
    const dir = path.join(h.rootDir, 'ns1', 'plain', 'containers', 'c1');
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal(
      `hello world $(UNDEFINED) plain ${dir} ${dir}\ninherited\n`,
    );
  });

  it('runs programs, never the shell builtins of the same name (echo, printf)', async () => {
    const spec: PodSpec = {
      uid: 'no-builtins',
      namespace: 'ns1',
      name: 'nobuiltins',
      containers: [{ name: 'c1', image: 'busybox', command: ['echo', 'a\\nb', '-e'] }],
    };
    await h.create(spec);
    await watcher.waitForPod('no-builtins', isTerminated('c1'));
    // /bin/echo takes options only first and leaves backslashes alone; sh's echo expands \n.
    expect(
      readFileSync(path.join(h.rootDir, 'ns1', 'nobuiltins', 'containers', 'c1', 'stdout'), 'utf8'),
    ).to.equal('a\\nb -e\n');
  });

  it('runs the script itself when command is empty (made executable)', async () => {
    const spec = scriptPod('selfexec', '#!/bin/sh\necho "self $1"\n', { args: ['arg1'] });
    spec.containers![0]!.command = [];
    await h.create(spec);
    const pod = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(terminated(pod, 'c1').reason).to.equal('Completed');
    expect(
      readFileSync(path.join(h.rootDir, 'ns1', 'selfexec', 'containers', 'c1', 'stdout'), 'utf8'),
    ).to.equal('self arg1\n');
  });

  it('CreatePod is idempotent per uid and GetPod/ListPods report the pod', async () => {
    const spec = scriptPod('idem', 'sleep 0.3\n');
    const first = await h.create(spec);
    const second = await h.create(spec);
    expect(second.containerStatuses[0]!.pgid).to.equal(first.containerStatuses[0]!.pgid);
    const got = await unary<{ uid: string }, typeof first>(h.client, 'GetPod', { uid: spec.uid! });
    expect(got.uid).to.equal(spec.uid);
    const list = await unary<object, { pods: unknown[]; epoch: string; revision: number }>(
      h.client,
      'ListPods',
      {},
    );
    expect(list.epoch).to.have.length.greaterThan(0);
    expect(list.revision).to.be.greaterThan(0);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
  });
});
