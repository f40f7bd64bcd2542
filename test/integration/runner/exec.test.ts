import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { Stats__Output } from '../../../src/generated/vkcmd/runner/v1/Stats.js';
import {
  eventually,
  isAlive,
  isRunning,
  isTerminated,
  podProcessesUnder,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';
import { openExec } from './support/interactive-client.js';

const SLEEPER = 'exec sleep 300\n';

function withEnv(spec: PodSpec, env: Array<{ name: string; value: string }>): PodSpec {
  spec.containers![0]!.env = env;
  return spec;
}

describe('runner: Exec', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness();
    await h.startProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  async function runningPod(
    name: string,
    script = SLEEPER,
    env: Array<{ name: string; value: string }> = [],
  ) {
    const spec = withEnv(scriptPod(name, script), env);
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    return spec;
  }

  const runnerFds = (): number => readdirSync(`/proc/${h.child!.pid}/fd`).length;

  it("runs in the container's directory with its environment, tagged with the pod and the session", async () => {
    const spec = await runningPod('env', SLEEPER, [{ name: 'GREETING', value: 'hello there' }]);
    const s = openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      command: [
        'sh',
        '-c',
        'pwd; echo "$GREETING"; echo "$VK_CMD_POD_UID"; echo "$VK_CMD_POD_DIR"; echo "x$VK_CMD_EXEC_ID"',
      ],
    });
    const r = await s.done;
    const podDir = path.join(h.rootDir, 'ns1', 'env');
    const [cwd, greeting, uid, dir, execId] = r.stdout.split('\n');
    expect(cwd).to.equal(path.join(podDir, 'containers', 'c1'));
    expect(greeting).to.equal('hello there');
    expect(uid).to.equal(spec.uid);
    expect(dir).to.equal(podDir);
    expect(execId).to.match(/^x[0-9a-f-]{36}$/);
    expect(r.exit).to.deep.include({ exitCode: 0, signal: 0 });
    // By namespace and name too.
    const byName = await openExec(h.client, {
      namespace: 'ns1',
      name: 'env',
      container: 'c1',
      command: ['true'],
    }).done;
    expect(byName.exit?.exitCode).to.equal(0);
  });

  it('reports exit codes, a missing program as 127 and a signal as 128+N', async () => {
    const spec = await runningPod('codes');
    const uid = spec.uid!;
    const three = await openExec(h.client, {
      uid,
      container: 'c1',
      command: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
    }).done;
    expect(three).to.deep.include({ stdout: 'out\n', stderr: 'err\n' });
    expect(three.exit).to.deep.include({ exitCode: 3, signal: 0 });
    const missing = await openExec(h.client, { uid, container: 'c1', command: ['no-such-program'] }).done;
    expect(missing.exit).to.deep.include({
      exitCode: 127,
      message: 'exec: "no-such-program": executable file not found in $PATH',
    });
    const missingPath = await openExec(h.client, { uid, container: 'c1', command: ['./nope'] }).done;
    expect(missingPath.exit?.exitCode).to.equal(127);
    expect(missingPath.exit?.message).to.match(
      /^exec: "\.\/nope": stat \/.*\/nope: no such file or directory$/,
    );
    const killed = await openExec(h.client, { uid, container: 'c1', command: ['sh', '-c', 'kill -9 $$'] })
      .done;
    expect(killed.exit).to.deep.include({ exitCode: 137, signal: 9 });
  });

  it('pipes stdin until it is closed', async () => {
    const spec = await runningPod('stdin');
    const s = openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      command: ['sh', '-c', 'cat; echo done'],
      stdin: true,
    });
    s.send('line one\n');
    await s.waitFor(/line one\n/);
    s.send('line two\n');
    s.closeStdin();
    const r = await s.done;
    expect(r.stdout).to.equal('line one\nline two\ndone\n');
    expect(r.exit?.exitCode).to.equal(0);
    // The end of the request stream is an end of stdin too.
    const t = openExec(h.client, { uid: spec.uid!, container: 'c1', command: ['wc', '-c'], stdin: true });
    t.send('12345');
    t.end();
    expect((await t.done).stdout.trim()).to.equal('5');
  });

  it('gives a tty a real terminal that can be resized', async () => {
    const spec = await runningPod('tty');
    const s = openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      // `wait` (unlike `read`) lets bash run the WINCH trap as soon as the signal arrives. The
      // resize may come before the shell reaches `wait` (a loaded host), so the shell waits in
      // short steps until the trap has run; each step's sleep ends by itself, so bash has no
      // "Terminated" to report on the terminal.
      command: [
        'bash',
        '-c',
        'trap "stty size; w=1" WINCH; tty; stty size; w=; while [ -z "$w" ]; do sleep 0.1 & wait $!; done; read -r line; echo "got $line"; stty size',
      ],
      stdin: true,
      tty: true,
      size: { width: 80, height: 24 },
    });
    await s.waitFor(/\/dev\/pts\/\d+\r\n24 80\r\n/);
    s.resize(100, 40);
    await s.waitFor(/40 100\r\n/);
    s.send('hello\n');
    const r = await s.done;
    expect(r.stdout, JSON.stringify(r.stdout)).to.match(/hello\r\ngot hello\r\n40 100\r\n$/);
    expect(r.stderr).to.equal('');
    expect(r.exit?.exitCode).to.equal(0);
  });

  it('kills the process group when the client cancels, and leaks no fds or processes', async () => {
    const spec = await runningPod('cancel');
    const podProcesses = (): number => podProcessesUnder(path.join(h.rootDir, 'ns1', 'cancel')).length;
    // Warm-up: the runner opens its first sessions' lazily created handles once.
    await openExec(h.client, { uid: spec.uid!, container: 'c1', command: ['true'] }).done;
    const fdsBefore = runnerFds();
    const processesBefore = podProcesses();
    for (const tty of [false, true]) {
      const s = openExec(h.client, {
        uid: spec.uid!,
        container: 'c1',
        command: ['sh', '-c', 'echo pid $$; sleep 300 & sleep 300'],
        stdin: true,
        tty,
      });
      const pid = Number((await s.waitFor(/pid (\d+)/))[1]);
      expect(podProcesses()).to.be.greaterThan(processesBefore);
      s.cancel();
      await eventually(() => !isAlive(pid), 5_000, `exec'd pid ${pid} killed (tty ${tty})`);
      await eventually(() => podProcesses() === processesBefore, 5_000, 'no exec process left');
    }
    await eventually(
      () => runnerFds() <= fdsBefore,
      5_000,
      `runner fds back to ${fdsBefore} (now ${runnerFds()})`,
    );
  });

  it("counts exec'd processes in the container's stats", async () => {
    const spec = await runningPod('stats');
    const count = async (): Promise<number> => {
      const stats = await unary<object, Stats__Output>(h.client, 'GetStats', {});
      const pod = stats.pods.find((p) => p.uid === spec.uid);
      return pod?.containers.find((c) => c.name === 'c1')?.processCount ?? 0;
    };
    const before = await count();
    const s = openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      command: ['sh', '-c', 'echo up; exec sleep 300'],
    });
    await s.waitFor(/up/);
    await eventually(async () => (await count()) === before + 1, 5_000, 'one more process in the stats');
    s.cancel();
    await eventually(async () => (await count()) === before, 5_000, 'the exec gone from the stats');
  });

  it('ends sessions and kills their processes when the container ends or the pod is deleted', async () => {
    const holder = await runningPod('ends-holder');
    const s = openExec(h.client, {
      uid: holder.uid!,
      container: 'c1',
      command: ['sh', '-c', 'echo pid $$; exec sleep 300'],
    });
    const pid = Number((await s.waitFor(/pid (\d+)/))[1]);
    const pgid = status(watcher.pods.get(holder.uid!)!, 'c1').pgid;
    process.kill(-pgid, 'SIGKILL');
    await watcher.waitForPod(holder.uid!, isTerminated('c1'));
    const r = await s.done;
    expect(r.exit).to.deep.include({ exitCode: 137, message: 'container c1 is not running' });
    await eventually(() => !isAlive(pid), 5_000, 'exec killed with its container');

    const del = await runningPod('deleted');
    const d = openExec(h.client, {
      uid: del.uid!,
      container: 'c1',
      command: ['sh', '-c', 'echo pid $$; exec sleep 300'],
    });
    const dpid = Number((await d.waitFor(/pid (\d+)/))[1]);
    await unary(h.client, 'DeletePod', { uid: del.uid, gracePeriodSeconds: 2 });
    const dr = await d.done;
    expect(dr.exit?.exitCode).to.be.greaterThan(128);
    await watcher.waitForDeleted(del.uid!);
    expect(isAlive(dpid)).to.equal(false);
  });

  it('fails fast for unknown pods and containers and for containers that are not running', async () => {
    const spec = scriptPod('done', 'exit 0\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(terminated(watcher.pods.get(spec.uid!)!, 'c1').exitCode).to.equal(0);
    const started = Date.now();
    const notRunning = await openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      command: ['true'],
    }).done.catch((e: grpc.ServiceError) => e);
    expect(notRunning).to.include({
      code: grpc.status.FAILED_PRECONDITION,
      details: 'container c1 is not running',
    });
    const noPod = await openExec(h.client, { uid: 'nope', container: 'c1', command: ['true'] }).done.catch(
      (e: grpc.ServiceError) => e,
    );
    expect(noPod).to.include({ code: grpc.status.NOT_FOUND, details: 'pod uid nope not found' });
    const noContainer = await openExec(h.client, {
      uid: spec.uid!,
      container: 'c9',
      command: ['true'],
    }).done.catch((e: grpc.ServiceError) => e);
    expect(noContainer).to.include({
      code: grpc.status.NOT_FOUND,
      details: 'container "c9" not found in pod ns1/done',
    });
    const bad = await openExec(h.client, { uid: spec.uid!, container: 'c1', command: [] }).done.catch(
      (e: grpc.ServiceError) => e,
    );
    expect(bad).to.include({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'start.command: must not be empty',
    });
    expect(Date.now() - started).to.be.below(2_000);
  });

  it('kills what exec sessions left when the runner restarts: nobody can reach them any more', async () => {
    const spec = await runningPod('orphans');
    const s = openExec(h.client, {
      uid: spec.uid!,
      container: 'c1',
      command: ['sh', '-c', 'echo pid $$; exec sleep 300'],
    });
    const pid = Number((await s.waitFor(/pid (\d+)/))[1]);
    const pgid = status(watcher.pods.get(spec.uid!)!, 'c1').pgid;
    await h.killProcess('SIGKILL');
    expect(isAlive(pid)).to.equal(true);
    await h.startProcess();
    watcher = h.watch();
    await eventually(() => !isAlive(pid), 5_000, "the orphaned exec'd process killed");
    // The container itself was re-adopted, untouched.
    const pod = await watcher.waitForPod(spec.uid!, isRunning('c1'));
    expect(status(pod, 'c1').pgid).to.equal(pgid);
  });
});
