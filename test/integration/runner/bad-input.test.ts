import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { PodSpec } from '../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import {
  isTerminated,
  RunnerHarness,
  scriptPod,
  status,
  terminated,
  unary,
  type PodWatcher,
} from './support/runner-harness.js';

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(path.join(rel, e.name));
      if (e.isDirectory()) walk(path.join(d, e.name), path.join(rel, e.name));
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out.sort();
}

describe('runner: bad input', function () {
  this.timeout(60_000);
  let h: RunnerHarness;
  let watcher: PodWatcher;

  before(async () => {
    h = new RunnerHarness();
    await h.startInProcess();
    watcher = h.watch();
  });
  after(async () => h.close());

  const invalid: Array<{ what: string; mutate: (p: PodSpec) => void; message: string }> = [
    { what: 'no uid', mutate: (p) => (p.uid = ''), message: 'pod.uid: must not be empty' },
    { what: 'uid with a slash', mutate: (p) => (p.uid = '../x'), message: 'pod.uid: "../x" must be' },
    {
      what: 'namespace not a label',
      mutate: (p) => (p.namespace = '..'),
      message: 'pod.namespace: ".." must be a DNS label',
    },
    {
      what: 'pod name with a slash',
      mutate: (p) => (p.name = 'a/b'),
      message: 'pod.name: "a/b" must be a DNS subdomain',
    },
    {
      what: 'container name',
      mutate: (p) => (p.containers![0]!.name = 'C_1'),
      message: 'pod.containers[0].name: "C_1" must be a DNS label',
    },
    {
      what: 'no containers',
      mutate: (p) => (p.containers = []),
      message: 'pod.containers: must hold at least one container',
    },
    {
      what: 'unknown volume',
      mutate: (p) => (p.containers![0]!.volumeMounts![0]!.name = 'nope'),
      message: 'pod.containers[0].volumeMounts[0].name: "nope" names no volume',
    },
    {
      what: 'nothing to run',
      mutate: (p) => {
        p.containers![0]!.command = [];
        p.containers![0]!.image = 'busybox';
      },
      message: 'pod.containers[0].command: must not be empty when image "busybox" names no volumeMount',
    },
    {
      what: 'NUL in args',
      mutate: (p) => (p.containers![0]!.args = ['a\0b']),
      message: 'pod.containers[0].args[0]: must not contain a NUL byte',
    },
    {
      what: 'bad restart policy',
      mutate: (p) => (p.restartPolicy = 'Sometimes'),
      message: 'pod.restartPolicy: "Sometimes" must be',
    },
    {
      what: 'bad mode',
      mutate: (p) => (p.volumes![0]!.configMap!.defaultMode = 0o1777),
      message: 'pod.volumes[0].configMap.defaultMode: 1023 must be between 0 and 0777',
    },
  ];
  for (const c of invalid) {
    it(`INVALID_ARGUMENT naming the field: ${c.what}`, async () => {
      const spec = scriptPod('invalid', 'echo hi\n');
      c.mutate(spec);
      const err = await h.create(spec).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      expect(err?.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(err?.details).to.contain(c.message);
      expect(listTree(h.rootDir).filter((e) => !e.startsWith('.vk-cmd'))).to.deep.equal([]);
    });
  }

  for (const method of ['GetPod', 'DeletePod'] as const) {
    it(`${method} with an empty uid is INVALID_ARGUMENT naming the field`, async () => {
      const err = await unary(h.client, method, { uid: '' }).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      expect([err?.code, err?.details]).to.deep.equal([
        grpc.status.INVALID_ARGUMENT,
        'uid: must not be empty',
      ]);
    });
  }

  const hostile: Array<{ what: string; mutate: (p: PodSpec) => void; message: RegExp }> = [
    {
      what: 'mountPath with ..',
      mutate: (p) => (p.containers![0]!.volumeMounts![0]!.mountPath = '../../../../escaped'),
      message: /volumeMounts\[0\]\.mountPath: "\.\.\/\.\.\/\.\.\/\.\.\/escaped" contains "\.\."/,
    },
    {
      what: 'item path with ..',
      mutate: (p) => (p.volumes![0]!.configMap!.items = [{ key: 'run.sh', path: '../escaped' }]),
      message: /items\[0\]\.path: "\.\.\/escaped" contains "\.\."/,
    },
    {
      what: 'absolute item path',
      mutate: (p) => (p.volumes![0]!.configMap!.items = [{ key: 'run.sh', path: '/etc/escaped' }]),
      message: /items\[0\]\.path: "\/etc\/escaped" must be a relative path/,
    },
    {
      what: 'key with a slash',
      mutate: (p) => (p.volumes![0]!.configMap!.data = { '../escaped': Buffer.from('x') }),
      message: /data\["\.\.\/escaped"\]: a key must be a file name/,
    },
    {
      what: 'NUL in mountPath',
      mutate: (p) => (p.containers![0]!.volumeMounts![0]!.mountPath = 'jo\0b'),
      message: /contains a NUL byte/,
    },
    {
      what: 'over-long component',
      mutate: (p) => (p.containers![0]!.volumeMounts![0]!.mountPath = 'x'.repeat(300)),
      message: /longer than 255 bytes/,
    },
    {
      what: 'over-long path',
      mutate: (p) =>
        (p.containers![0]!.volumeMounts![0]!.mountPath = Array(30).fill('y'.repeat(200)).join('/')),
      message: /longer than 4095 bytes/,
    },
    {
      what: 'reserved name',
      mutate: (p) => (p.containers![0]!.volumeMounts![0]!.mountPath = 'pgid'),
      message: /runner's file "pgid"/,
    },
    {
      what: 'workingDir with ..',
      mutate: (p) => (p.containers![0]!.workingDir = '../..'),
      message: /workingDir: "\.\.\/\.\." contains "\.\."/,
    },
  ];
  for (const c of hostile) {
    it(`refuses ${c.what}: terminated copyFileError, nothing written`, async () => {
      const spec = scriptPod(`hostile-${hostile.indexOf(c)}`, 'echo hi\n');
      c.mutate(spec);
      const created = await h.create(spec);
      const t = terminated(created, 'c1');
      expect(t.reason).to.equal('copyFileError');
      expect(t.exitCode).to.equal(1);
      expect(t.message).to.match(c.message);
      expect(existsSync(path.join(h.rootDir, 'ns1', spec.name!))).to.equal(false);
      expect(existsSync(path.join(h.workDir, 'escaped'))).to.equal(false);
      expect(existsSync(path.join(h.rootDir, 'escaped'))).to.equal(false);
      expect(listTree(h.rootDir).filter((e) => !e.startsWith('.vk-cmd'))).to.deep.equal([]);
    });
  }

  it('an image naming a mount with several files is readDefaultVolDirError telling what to write', async () => {
    const spec = scriptPod('twofiles', 'echo a\n');
    spec.volumes![0]!.configMap!.data = { 'a.sh': Buffer.from('echo a\n'), 'b.sh': Buffer.from('echo b\n') };
    const created = await h.create(spec);
    const t = terminated(created, 'c1');
    expect(t.reason).to.equal('readDefaultVolDirError');
    expect(t.exitCode).to.equal(1);
    expect(t.message).to.contain(
      'holds 2 files (a.sh, b.sh); set image to "script/<file>", e.g. "script/a.sh"',
    );
    const fixed = scriptPod('twofiles-ok', 'echo a\n');
    fixed.volumes![0]!.configMap!.data = { 'a.sh': Buffer.from('echo a\n'), 'b.sh': Buffer.from('echo b\n') };
    fixed.containers![0]!.image = 'script/b.sh';
    await h.create(fixed);
    const done = await watcher.waitForPod(fixed.uid!, isTerminated('c1'));
    expect(terminated(done, 'c1').reason).to.equal('Completed');
  });

  it('a 1 MiB configMap value works; items, modes and secrets are written as asked', async () => {
    // More than the 4 MiB gRPC default in one request: two 1 MiB+ volumes and a 3 MiB one.
    const blob = Buffer.alloc(1024 * 1024 + 7, 'x');
    const spec = scriptPod('big', 'wc -c < data/blob.txt; stat -c %a data/blob.txt sec/key sec/dir/key2\n');
    spec.containers![0]!.volumeMounts!.push(
      { name: 'big', mountPath: '/data' },
      { name: 'sec', mountPath: 'sec' },
    );
    spec.volumes!.push(
      {
        name: 'big',
        configMap: { data: { 'blob.txt': blob, 'blob2.txt': blob, 'blob3.txt': Buffer.alloc(3 << 20, 'y') } },
      },
      {
        name: 'sec',
        secret: {
          data: { k1: Buffer.from('s1'), k2: Buffer.from('s2') },
          items: [
            { key: 'k1', path: 'key' },
            { key: 'k2', path: 'dir/key2', mode: 0o600 },
          ],
          defaultMode: 0o640,
        },
      },
    );
    await h.create(spec);
    const done = await watcher.waitForPod(spec.uid!, isTerminated('c1'));
    expect(terminated(done, 'c1').reason).to.equal('Completed');
    const { readFileSync } = await import('node:fs');
    const out = readFileSync(path.join(h.rootDir, 'ns1', 'big', 'containers', 'c1', 'stdout'), 'utf8');
    expect(out).to.equal(`${blob.length}\n644\n640\n600\n`);
    expect(status(done, 'c1').pgid).to.be.greaterThan(1);
  });
});
