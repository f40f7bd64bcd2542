import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { systemClock } from '../../../src/runner/clock.js';
import { findLauncher } from '../../../src/runner/process/find-launcher.js';
import { LauncherClient } from '../../../src/runner/process/launcher-client.js';
import {
  runInContainer,
  type CommandOptions,
  type CommandResult,
} from '../../../src/runner/probes/container-command.js';
import type { StartGroup } from '../../../src/runner/probes/launched-command.js';
import { eventually, groupMembers } from './support/processes.js';
import { cgroupV1Parents } from './support/cgroup-v1-parents.js';
import { isRunning, RunnerHarness, scriptPod, unary } from './support/runner-harness.js';

/*
 * Exec probe and hook commands started through vk-cmd-launcher: output to
 * unlinked files in the container directory, bounded as the kubelet bounds
 * it, the exit from the launcher's event, the timeout killing the whole
 * group; and Node's spawn when the launcher is unavailable.
 */

const silent = pino({ level: 'silent' });
const MAX = 10 * 1024;

describe('runner: exec probe and hook commands through the launcher', function () {
  this.timeout(30_000);
  let work: string;
  let containerDir: string;
  let client: LauncherClient;
  let start: StartGroup;
  const context = { cwd: '', podEnv: [{ name: 'WHO', value: 'probe' }] };

  before(async () => {
    const file = findLauncher({});
    if (!file) throw new Error('vk-cmd-launcher is not built (make build)');
    client = new LauncherClient(file, { ...process.env }, systemClock, silent);
    expect(await client.start()).to.equal(true);
    start = async (req) => client.spawnGroup(req);
  });
  after(() => client.stop());

  beforeEach(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-probe-launch-'));
    containerDir = path.join(work, 'ns', 'pod', 'containers', 'c1');
    mkdirSync(containerDir, { recursive: true });
    context.cwd = containerDir;
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const options = (extra: Partial<CommandOptions> = {}): CommandOptions => ({
    timeoutMs: 10_000,
    maxOutputBytes: MAX,
    tag: 'probe',
    start,
    containerDir,
    ...extra,
  });
  const run = async (argv: string[], extra: Partial<CommandOptions> = {}) => {
    const command = await runInContainer(argv, context, process.env, options(extra));
    return { pgid: command.pgid, result: await command.done };
  };
  const exited = (r: CommandResult) => {
    if (r.kind !== 'exited') throw new Error(`not exited: ${JSON.stringify(r)}`);
    return r;
  };

  it('runs as a child of the launcher with the container env and cwd; stdout then stderr; no file left', async () => {
    const { result } = await run([
      'sh',
      '-c',
      'echo err >&2; echo "$PPID $WHO $VK_CMD_EXEC_ID $(pwd)"; exit 3',
    ]);
    const r = exited(result);
    expect(r.exitCode).to.equal(3);
    expect(r.output).to.equal(`${client.pid} probe probe ${containerDir}\nerr\n`);
    expect(r.stderr).to.equal('err\n');
    expect(readdirSync(containerDir)).to.deep.equal([]);
  });

  it('keeps 10 KiB of output, stdout first, however much the command writes', async () => {
    const { result } = await run([
      'sh',
      '-c',
      'head -c 300000 /dev/zero | tr "\\0" a; head -c 5000 /dev/zero | tr "\\0" b >&2',
    ]);
    const r = exited(result);
    expect(r.exitCode).to.equal(0);
    expect(r.output).to.equal('a'.repeat(MAX));
    expect(r.stderr).to.equal('b'.repeat(5000));
  });

  it('cuts an output file that grew past the bound back to it while the command runs', async () => {
    // The shell reads its own stdout file's size after the runner's check (every second) ran.
    const { result } = await run([
      'sh',
      '-c',
      'head -c 300000 /dev/zero; sleep 2.5; n=$(wc -c < /proc/$$/fd/1); echo $n >&2',
    ]);
    const r = exited(result);
    expect(r.output).to.equal('\0'.repeat(MAX));
    expect(r.stderr).to.equal(`${MAX}\n`);
  });

  it('a command past its timeout is killed with its whole group', async () => {
    const { pgid, result } = await run(['sh', '-c', 'sleep 30 & echo started; sleep 30'], {
      timeoutMs: 300,
    });
    expect(result).to.deep.equal({ kind: 'timedOut', output: 'started\n' });
    expect(pgid).to.be.greaterThan(0);
    await eventually(() => groupMembers(pgid).length === 0, 5_000, 'the group gone');
  });

  it('kill() ends it as killed; a program that is missing never starts', async () => {
    const command = await runInContainer(['sleep', '30'], context, process.env, options());
    command.kill();
    const r = await command.done;
    expect(r.kind).to.equal('killed');
    const missing = await run(['no-such-program-here']);
    expect(missing.result).to.deep.equal({
      kind: 'notStarted',
      message: 'exec: "no-such-program-here": executable file not found in $PATH',
    });
  });

  it("with Node's spawn too, a command past its timeout is killed with its whole group", async () => {
    const unavailable: StartGroup = async () => ({ kind: 'unavailable' });
    const { pgid, result } = await run(['sh', '-c', 'sleep 30 & echo started; sleep 30'], {
      timeoutMs: 300,
      start: unavailable,
    });
    expect(result.kind).to.equal('timedOut');
    expect(pgid).to.be.greaterThan(0);
    await eventually(() => groupMembers(pgid).length === 0, 5_000, 'the group gone');
  });

  it("uses Node's spawn (a child of the runner, output through pipes) while the launcher is unavailable", async () => {
    let asked = 0;
    const unavailable: StartGroup = async () => {
      asked++;
      return { kind: 'unavailable' };
    };
    const { result } = await run(['sh', '-c', 'echo "$PPID"; head -c 20000 /dev/zero | tr "\\0" a'], {
      start: unavailable,
    });
    const r = exited(result);
    expect(asked).to.equal(1);
    expect(r.output).to.equal(`${process.pid}\n${'a'.repeat(MAX - `${process.pid}\n`.length)}`);
    expect(readdirSync(containerDir)).to.deep.equal([]);
  });
});

/**
 * A probe of a container with a memory limit runs in the container's
 * cgroup. Like limits.test.ts this host mounts cgroup v1 and the tests run
 * as root, which may make a memory subtree for the runner.
 */
describe('runner: exec probes in the container cgroup (cgroup v1, as root)', function () {
  this.timeout(60_000);
  const name = `vk-cmd-probe-it-${process.pid}`;
  const parents = cgroupV1Parents(name);
  let h: RunnerHarness;

  before(async () => {
    parents.create();
    h = new RunnerHarness(parents.runnerArgs);
    await h.startInProcess();
  });
  after(async () => {
    await h.close();
    parents.remove();
  });

  it("a readiness probe's process is in the container's memory cgroup", async () => {
    const spec = scriptPod('probe-cgroup', 'exec sleep 300\n');
    Object.assign(spec.containers![0]!, {
      memoryLimitBytes: 64 * 2 ** 20,
      readinessProbe: {
        handler: {
          exec: {
            command: [
              'sh',
              '-c',
              'cat /proc/self/cgroup > probe-cgroup.tmp && mv probe-cgroup.tmp probe-cgroup',
            ],
          },
        },
        periodSeconds: 1,
        timeoutSeconds: 10,
        successThreshold: 1,
        failureThreshold: 1,
      },
    });
    const watcher = h.watch();
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, (p) => isRunning('c1')(p) && p.containerStatuses[0]!.ready === true);
    const file = path.join(h.rootDir, spec.namespace!, spec.name!, 'containers', 'c1', 'probe-cgroup');
    const memory = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => /^\d+:memory:/.test(l));
    expect(memory?.replace(/^\d+:/, '')).to.equal(`memory:/${name}/vk-cmd/${spec.uid}/c1`);
    await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    await watcher.waitForDeleted(spec.uid!);
  });
});
