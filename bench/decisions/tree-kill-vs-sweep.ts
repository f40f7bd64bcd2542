// Does a ppid walk catch a double-forked daemon? (docs/decisions/0002-process-tree-kill.md)
// A container-like process (its own process group) starts `setsid sleep` from a
// subshell that exits at once, so the sleep is re-parented and in a session
// of its own, as a daemon is. Then, 3 times each:
//   A. tree-kill (installed into a temp dir; vk-cmd no longer depends on it)
//      is pointed at the container's main process: does the sleep survive?
//   B. the same shape runs as a pod in a real vk-cmd-runner, and the pod is
//      deleted: does the runner's /proc environ sweep kill the sleep?
// Usage: node dist/bench/decisions/tree-kill-vs-sweep.js   (after make build; needs npm)
import * as grpc from '@grpc/grpc-js';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { loadRunnerProto } from '../../src/common/proto.js';
import type { RunnerClient } from '../../src/generated/vkcmd/runner/v1/Runner.js';
import type { WatchPodsEvent__Output } from '../../src/generated/vkcmd/runner/v1/WatchPodsEvent.js';
import { REPO_ROOT, loadAverage } from './measure-support.js';

const TREE_KILL_VERSION = '1.2.2';
/** The daemon: a subshell starts `setsid sleep` and exits, so the sleep's parent is gone. */
const CONTAINER_SCRIPT = '( setsid sleep 300 & echo $! > daemon.pid ); exec sleep 300';

type TreeKill = (pid: number, signal: string, callback: (err?: Error) => void) => void;

/** Parent pid, process group and state of a live process, or undefined once it is gone or a zombie. */
function procStat(pid: number): { ppid: number; pgrp: number; state: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const [state = '', ppid = '0', pgrp = '0'] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return state === 'Z' ? undefined : { ppid: Number(ppid), pgrp: Number(pgrp), state };
}

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True once `pid` has lost its parent `mainPid` and leads a session of its own, as a daemon does. */
function daemonized(pid: number, mainPid: number): true | undefined {
  const stat = procStat(pid);
  return stat && stat.ppid !== mainPid && stat.pgrp === pid ? true : undefined;
}

const pidIn = (file: string) => () => {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return text ? Number(text) : undefined;
};

async function withTreeKill(treeKill: TreeKill, dir: string): Promise<string> {
  const main = spawn('bash', ['-c', CONTAINER_SCRIPT], { cwd: dir, detached: true, stdio: 'ignore' });
  const exited = new Promise((resolve) => main.once('exit', resolve));
  const daemon = await until(pidIn(path.join(dir, 'daemon.pid')), 'daemon.pid');
  await until(() => daemonized(daemon, main.pid!), 'the daemon to leave its parent and group');
  const before = procStat(daemon);
  await new Promise<void>((resolve, reject) =>
    treeKill(main.pid!, 'SIGKILL', (err) => (err ? reject(err) : resolve())),
  );
  await exited;
  const after = procStat(daemon);
  if (after) process.kill(daemon, 'SIGKILL');
  return `main ${main.pid} killed; daemon ${daemon} (ppid ${before?.ppid}, pgrp ${before?.pgrp}) ${after ? 'SURVIVED' : 'killed'}`;
}

async function withRunner(
  client: RunnerClient,
  events: WatchPodsEvent__Output[],
  root: string,
): Promise<string> {
  const uid = randomUUID();
  const name = `daemon-${uid.slice(0, 8)}`;
  await new Promise<void>((resolve, reject) =>
    client.CreatePod(
      {
        pod: {
          uid,
          namespace: 'decisions',
          name,
          restartPolicy: 'Never',
          containers: [{ name: 'c1', image: 'none', command: ['bash', '-c', CONTAINER_SCRIPT] }],
        },
      },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
  const containerDir = path.join(root, 'decisions', name, 'containers', 'c1');
  const daemon = await until(pidIn(path.join(containerDir, 'daemon.pid')), 'daemon.pid');
  const mainPid = await until(pidIn(path.join(containerDir, 'pgid')), 'the pgid file');
  await until(() => daemonized(daemon, mainPid), 'the daemon to leave its parent and group');
  const before = procStat(daemon);
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) =>
    client.DeletePod({ uid, gracePeriodSeconds: 2 }, (err) => (err ? reject(err) : resolve())),
  );
  await until(
    () =>
      events.some((e) => e.type === 'WATCH_EVENT_TYPE_DELETED' && e.pod?.uid === uid) ? true : undefined,
    'DELETED',
  );
  const deletedMs = Date.now() - t0;
  const after = procStat(daemon);
  if (after) process.kill(daemon, 'SIGKILL');
  return `daemon ${daemon} (ppid ${before?.ppid}, pgrp ${before?.pgrp}) ${after ? 'SURVIVED' : 'killed'}; DELETED after ${deletedMs} ms`;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vk-cmd-tree-kill-'));
  const runner = { pid: 0 };
  try {
    const prefix = path.join(tmp, 'tree-kill');
    mkdirSync(prefix);
    execFileSync(
      'npm',
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', `tree-kill@${TREE_KILL_VERSION}`],
      {
        stdio: 'ignore',
      },
    );
    const treeKill = createRequire(path.join(prefix, 'index.js'))('tree-kill') as TreeKill;
    console.log(`A. tree-kill ${TREE_KILL_VERSION} on the container's main process`);
    for (let i = 0; i < 3; i++) {
      const dir = path.join(tmp, `a${i}`);
      mkdirSync(dir);
      const loadAvg = loadAverage();
      console.log(`  run ${i + 1} (load ${loadAvg}): ${await withTreeKill(treeKill, dir)}`);
    }

    const root = path.join(tmp, 'root');
    const socket = path.join(tmp, 'runner.sock');
    const child = spawn(
      path.join(REPO_ROOT, 'bin', 'vk-cmd-runner'),
      ['--listen', `unix://${socket}`, '--root-dir', root, '--state-dir', path.join(tmp, 'state')],
      { stdio: 'ignore' },
    );
    runner.pid = child.pid ?? 0;
    await until(() => (existsSync(socket) ? true : undefined), 'the runner socket');
    const { grpcType } = loadRunnerProto();
    const client = new grpcType.vkcmd.runner.v1.Runner(
      `unix://${socket}`,
      grpc.credentials.createInsecure(),
    ) as unknown as RunnerClient;
    const events: WatchPodsEvent__Output[] = [];
    const watch = client.WatchPods({});
    watch.on('data', (e: WatchPodsEvent__Output) => events.push(e));
    watch.on('error', () => {});
    console.log('B. vk-cmd-runner: DeletePod (grace 2 s) of a pod of the same shape');
    for (let i = 0; i < 3; i++) {
      const loadAvg = loadAverage();
      console.log(`  run ${i + 1} (load ${loadAvg}): ${await withRunner(client, events, root)}`);
    }
    watch.cancel();
    client.close();
  } finally {
    if (runner.pid) process.kill(runner.pid, 'SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
