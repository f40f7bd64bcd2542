import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import {
  eventually,
  isRunning,
  readLogs,
  RunnerHarness,
  scriptPod,
  type PodWatcher,
} from './support/runner-harness.js';
import { openAttach } from './support/interactive-client.js';

const ECHO_LOOP = [
  'echo ready',
  'while read -r line; do',
  '  [ "$line" = quit ] && exit 4',
  '  echo "got $line"',
  'done',
  'echo "eof seen"',
  'exec sleep 300',
].join('\n');

function interactive(spec: PodSpec, flags: { stdin?: boolean; stdinOnce?: boolean; tty?: boolean }): PodSpec {
  Object.assign(spec.containers![0]!, flags);
  return spec;
}

describe('runner: Attach', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness();
    await h.startProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  async function started(spec: PodSpec): Promise<string> {
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, isRunning('c1'));
    await eventually(
      async () => (await readLogs(h.client, { uid: spec.uid! })).includes('ready'),
      10_000,
      'the container is ready',
    );
    return spec.uid!;
  }

  it('feeds stdin through a FIFO that survives a runner restart, and ends with the container', async () => {
    const uid = await started(interactive(scriptPod('reader', ECHO_LOOP), { stdin: true }));
    const first = openAttach(h.client, { uid, container: 'c1', stdin: true });
    // Output is streamed from where the file stood when the session began.
    first.send('one\n');
    await first.waitFor(/got one\n/);
    expect(first.stdout).to.not.include('ready');
    first.cancel();

    await h.killProcess('SIGKILL');
    await h.startProcess();
    watcher = h.watch();
    await watcher.waitForPod(uid, isRunning('c1'));
    const second = openAttach(h.client, { namespace: 'ns1', name: 'reader', container: 'c1', stdin: true });
    second.send('two\n');
    await second.waitFor(/got two\n/);
    expect(second.stdout).to.not.include('got one');
    second.send('quit\n');
    const r = await second.done;
    expect(r.exit).to.deep.include({ exitCode: 4 });
    expect(await readLogs(h.client, { uid })).to.equal('ready\ngot one\ngot two\n');
  });

  it('closes stdin after the first session with stdinOnce', async () => {
    const uid = await started(interactive(scriptPod('once', ECHO_LOOP), { stdin: true, stdinOnce: true }));
    const s = openAttach(h.client, { uid, container: 'c1', stdin: true });
    s.send('only\n');
    await s.waitFor(/got only\n/);
    s.closeStdin();
    await s.waitFor(/eof seen\n/);
    s.cancel();
    // A later session gets output, but the container's input stays closed.
    const later = openAttach(h.client, { uid, container: 'c1', stdin: true, stdout: true });
    later.send('ignored\n');
    later.cancel();
    expect(await readLogs(h.client, { uid })).to.equal('ready\ngot only\neof seen\n');
  });

  it('runs a tty container on a terminal whose output goes to its stdout, with resize', async () => {
    const script = ['tty', 'echo ready', 'while read -r line; do echo "got $line"; stty size; done'].join(
      '\n',
    );
    const spec = interactive(scriptPod('term', script), { stdin: true, tty: true });
    const uid = await started(spec);
    expect(await readLogs(h.client, { uid })).to.match(/^\/dev\/pts\/\d+\r\nready\r\n$/);
    // The PTY helper leads the group and the wrapper runs under it: the run file names the helper's group.
    const pgid = watcher.pods.get(uid)!.containerStatuses[0]!.pgid;
    const dir = path.join(h.rootDir, spec.namespace!, spec.name!, 'containers', 'c1');
    const runFile = readdirSync(dir).find((n) => n.startsWith('.run-'))!;
    expect(readFileSync(path.join(dir, runFile), 'utf8').split('\n')[0]).to.equal(String(pgid));
    const s = openAttach(h.client, {
      uid,
      container: 'c1',
      stdin: true,
      tty: true,
      size: { width: 100, height: 40 },
    });
    // Input and resizes travel on two FIFOs: send lines until one is answered with the new size.
    await eventually(
      () => {
        s.send('size\n');
        return /40 100\r\n/.test(s.stdout);
      },
      10_000,
      'the resized terminal',
      100,
    );
    expect(s.stdout).to.match(/size\r\ngot size\r\n/);
    s.cancel();
  });

  it('fails fast for containers that are not running', async () => {
    const spec = scriptPod('gone', 'exit 0\n');
    await h.create(spec);
    await watcher.waitForPod(spec.uid!, (p) => p.containerStatuses[0]?.state?.state === 'terminated');
    const err = await openAttach(h.client, { uid: spec.uid!, container: 'c1' }).done.catch(
      (e: grpc.ServiceError) => e,
    );
    expect(err).to.include({ code: grpc.status.FAILED_PRECONDITION, details: 'container c1 is not running' });
  });
});
