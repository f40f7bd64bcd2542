import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Pod__Output } from '../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { openContainerDir, openExitCodeTarget } from '../../../src/runner/files/container-dir.js';
import { WRAPPER_DIR_ARG, WRITE_EXIT_CODE_SH } from '../../../src/runner/files/wrapper-sh.js';
import {
  eventually,
  isTerminated,
  podProcessesUnder,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

/** The most pods the race test creates while it waits for restarts under the swaps. */
const MAX_RACE_PODS = 32;
const SWAPPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'dir-swapper.js');

/** Everything below `dir`, as relative paths. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(path.join(rel, e.name));
      if (e.isDirectory()) walk(path.join(d, e.name), path.join(rel, e.name));
    }
  };
  walk(dir, '');
  return out.sort();
}

describe('runner: a pod that swaps directories for symlinks cannot make the runner write outside', function () {
  this.timeout(120_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;
  let outside: string;

  before(async () => {
    h = new RunnerHarness(['--backoff-initial-ms', '50', '--backoff-max-ms', '200']);
    outside = path.join(h.workDir, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'canary'), 'keep me');
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  /** Nothing was written, moved or removed outside: it holds the canary, unchanged. */
  const outsideUntouched = (): void => {
    expect(listTree(outside)).to.deep.equal(['canary']);
    expect(readFileSync(path.join(outside, 'canary'), 'utf8')).to.equal('keep me');
  };

  /** Runs `script` as pod `name`'s container c1, with $OUTSIDE naming the outside directory; waits for its end. */
  async function runSwapping(name: string, script: string): Promise<{ spec: PodSpec; pod: Pod__Output }> {
    const spec = scriptPod(name, script);
    spec.containers![0]!.env = [{ name: 'OUTSIDE', value: outside }];
    await h.create(spec);
    return { spec, pod: await watcher.waitForPod(spec.uid!, isTerminated('c1')) };
  }

  async function deleteAll(specs: PodSpec[]): Promise<void> {
    for (const spec of specs) await unary(h.client, 'DeletePod', { uid: spec.uid, gracePeriodSeconds: 0 });
    for (const spec of specs) await watcher.waitForDeleted(spec.uid!, 30_000);
  }

  it("a sibling's container directory replaced by a symlink before it starts: it fails with a setup error naming the path, nothing is written outside", async () => {
    const spec: PodSpec = {
      uid: `uid-sibling-swap-${process.pid}`,
      namespace: 'ns1',
      name: 'sibling',
      restartPolicy: 'Never',
      initContainers: [
        {
          name: 'evil',
          image: 'sh',
          command: ['/bin/sh', '-c', `rm -rf ../c2 && ln -s ${outside} ../c2`],
        },
      ],
      containers: [{ name: 'c2', image: 'sh', command: ['/bin/sh', '-c', 'echo hi; echo hi > here'] }],
    };
    await h.create(spec);
    const pod = await watcher.waitForPod(spec.uid!, isTerminated('c2'));
    expect(terminated(pod, 'evil').exitCode).to.equal(0);
    const t = terminated(pod, 'c2');
    const c2Dir = path.join(h.rootDir, 'ns1', 'sibling', 'containers', 'c2');
    expect(t.reason).to.equal('createStdoutFileError');
    expect(t.exitCode).to.equal(1);
    expect(t.message).to.equal(
      `createStdoutFileError: failed to create stdout file: refusing to write through symlink ${c2Dir}`,
    );
    outsideUntouched();
    await deleteAll([spec]);
    expect(existsSync(path.join(h.rootDir, 'ns1', 'sibling'))).to.equal(false);
    outsideUntouched();
  });

  it('a container that swaps its own directory once its start is recorded: the wrapper still records its exit code inside the pod', async () => {
    // The swap waits for the pgid file: before it, the swap races the runner's pgid write (the next case).
    const { spec, pod } = await runSwapping(
      'self-swap',
      'd=$VK_CMD_CONTAINER_DIR; while [ ! -e "$d/pgid" ]; do sleep 0.01; done\n' +
        'mv "$d" "$d.real" && ln -s "$OUTSIDE" "$d"; echo done; exit 7\n',
    );
    expect([terminated(pod, 'c1').reason, terminated(pod, 'c1').exitCode]).to.deep.equal(['Error', 7]);
    const real = path.join(h.rootDir, 'ns1', 'self-swap', 'containers', 'c1.real');
    await eventually(() => existsSync(path.join(real, 'exitcode')), 5_000, 'exitcode in the real directory');
    expect(readFileSync(path.join(real, 'exitcode'), 'utf8')).to.equal('7\n');
    expect(readFileSync(path.join(real, 'stdout'), 'utf8')).to.equal('done\n');
    outsideUntouched();
    await deleteAll([spec]);
    outsideUntouched();
  });

  it('a container that swaps its own directory at once, racing the pgid write: either order ends cleanly, nothing is written outside', async () => {
    // Swapped first: the runner refuses the pgid write (it could not find the group again) and kills
    // the group. Recorded first: the run ends with its own code. Either way nothing leaks or stays.
    const { spec, pod } = await runSwapping(
      'early-swap',
      'd=$VK_CMD_CONTAINER_DIR; mv "$d" "$d.real" && ln -s "$OUTSIDE" "$d"\n' +
        'i=0; while [ ! -e "$d.real/pgid" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; exit 7\n',
    );
    const t = terminated(pod, 'c1');
    const podDir = path.join(h.rootDir, 'ns1', 'early-swap');
    const c1 = path.join(podDir, 'containers', 'c1');
    if (t.reason === 'writePgidError') {
      expect(t.exitCode).to.equal(1);
      // Between the mv and the ln the path is gone; after the ln it is a symlink.
      expect(t.message).to.be.oneOf([
        `writePgidError: failed to write pgid to file ${c1}/pgid; error: refusing to write in ${c1}: it is gone (ENOENT)`,
        `writePgidError: failed to write pgid to file ${c1}/pgid; error: refusing to write in ${c1}: it was replaced after it was checked (now a symlink)`,
      ]);
      expect(existsSync(path.join(`${c1}.real`, 'pgid'))).to.equal(false);
      await eventually(() => podProcessesUnder(podDir).length === 0, 10_000, 'the unrecorded group killed');
    } else {
      expect([t.reason, t.exitCode]).to.deep.equal(['Error', 7]);
    }
    outsideUntouched();
    await deleteAll([spec]);
    outsideUntouched();
  });

  it("the wrapper's exitcode step writes through its fds: a moved directory and a planted exitcode link change nothing outside", () => {
    const dir = path.join(h.workDir, 'wrapper', 'ns', 'p', 'containers', 'c1');
    mkdirSync(dir, { recursive: true });
    const handle = openContainerDir(dir);
    const exitFd = openExitCodeTarget(handle);
    try {
      renameSync(dir, `${dir}.real`);
      symlinkSync(outside, dir);
      // A stray of the pod left this: `mv -f` would move the code into outside.
      symlinkSync(outside, path.join(`${dir}.real`, 'exitcode'));
      const r = spawnSync('/bin/sh', ['-c', `d=$1; c=5; ${WRITE_EXIT_CODE_SH}`, 'wrapper', WRAPPER_DIR_ARG], {
        stdio: ['ignore', 'pipe', 'pipe', handle.fd, exitFd],
        encoding: 'utf8',
      });
      expect([r.status, r.stderr]).to.deep.equal([0, '']);
    } finally {
      closeSync(exitFd);
      handle.close();
    }
    expect(readdirSync(`${dir}.real`)).to.deep.equal(['exitcode']);
    expect(readFileSync(path.join(`${dir}.real`, 'exitcode'), 'utf8')).to.equal('5\n');
    outsideUntouched();
  });

  it('another process swapping pod, containers and container directories as fast as it can while pods start and restart: nothing lands outside', async () => {
    const nsDir = path.join(h.rootDir, 'race');
    mkdirSync(nsDir, { recursive: true });
    const swapper = spawn(process.execPath, [SWAPPER, outside, nsDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    swapper.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // 'close', not 'exit': the swap count it prints on SIGTERM must have been read.
    const exited = new Promise<void>((resolve) => swapper.once('close', () => resolve()));
    const specs: PodSpec[] = [];
    try {
      await eventually(() => out.startsWith('ready'), 10_000, 'swapper ready');
      const addPod = async (): Promise<void> => {
        const spec = scriptPod(`race-${specs.length}`, 'echo out; echo err >&2; exit 1\n', {
          namespace: 'race',
          restartPolicy: 'OnFailure',
        });
        spec.containers!.push({ ...spec.containers![0]!, name: 'c2' });
        specs.push(spec);
        await h.create(spec);
      };
      while (specs.length < 8) await addPod();
      // Let the containers restart (back-off 50-200 ms) under the swaps: each start and
      // restart writes pgid, logs, exitcode and indexes, and moves logs to *.previous.
      // A pod whose own directory was swapped while it was written is refused for good, and
      // when the swapper wins on most of them the restarts come slowly or not at all: a new
      // pod joins every 2 s until they are counted (at most MAX_RACE_PODS).
      const restarts = (): number =>
        specs
          .flatMap((s) => watcher.pods.get(s.uid!)?.containerStatuses ?? [])
          .reduce((sum, c) => sum + c.restartCount, 0);
      let addedAtMs = Date.now();
      await eventually(
        async () => {
          if (restarts() >= 40) return true;
          if (Date.now() - addedAtMs >= 2_000 && specs.length < MAX_RACE_PODS) {
            await addPod();
            addedAtMs = Date.now();
          }
          return false;
        },
        60_000,
        'restarts under the swaps',
        50,
      );
    } finally {
      swapper.kill('SIGTERM');
      await exited;
    }
    const [, swapCount, strandedJson] = out.split('\n');
    const swaps = Number(swapCount);
    const stranded = new Set((JSON.parse(strandedJson!) as string[]).map((p) => path.relative(nsDir, p)));
    const reasons = new Map<string, number>();
    for (const e of watcher.events) {
      if (!e.pod || e.pod.namespace !== 'race') continue;
      for (const c of e.pod.containerStatuses) {
        const reason = c.state?.terminated?.reason ?? c.lastState?.terminated?.reason;
        if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    console.log(
      `      swaps: ${swaps}; pods: ${specs.length}; stranded: ${JSON.stringify([...stranded])}; terminated reasons seen in events: ${JSON.stringify([...reasons])}`,
    );
    expect(swaps).to.be.greaterThan(100);
    outsideUntouched();
    await deleteAll(specs);
    outsideUntouched();
    // Deleted pods leave nothing, except where the swapper moved a refused layout's directory
    // away while the runner removed it, and later put it back; and the swapper's own moved
    // directories it could not put back because the runner had made a new pod directory there.
    const refused = new Set(
      watcher.events
        .filter(
          (e) =>
            e.pod?.namespace === 'race' && status(e.pod, 'c1').state?.terminated?.reason === 'copyFileError',
        )
        .map((e) => e.pod!.name),
    );
    const left = existsSync(nsDir) ? readdirSync(nsDir) : [];
    expect(left.filter((name) => !refused.has(name) && !stranded.has(name))).to.deep.equal([]);
  });
});
