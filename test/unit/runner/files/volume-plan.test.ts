import { expect } from 'chai';
import type { PodSpec__Output } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import type { Container__Output } from '../../../../src/generated/vkcmd/runner/v1/Container.js';
import { planVolumes } from '../../../../src/runner/files/volume-plan.js';
import { planPod } from '../../../../src/runner/pods/pod-plan.js';
import { UnsafePathError } from '../../../../src/runner/files/safe-path.js';

export function container(over: Partial<Container__Output> = {}): Container__Output {
  return {
    name: 'c1',
    image: '',
    command: ['bash'],
    args: [],
    workingDir: '',
    env: [],
    volumeMounts: [],
    stdin: false,
    stdinOnce: false,
    tty: false,
    memoryLimitBytes: 0,
    cpuLimitMillis: 0,
    ephemeralStorageLimitBytes: 0,
    memoryRequestBytes: 0,
    cpuRequestMillis: 0,
    ephemeralStorageRequestBytes: 0,
    ...over,
  };
}

export function pod(over: Partial<PodSpec__Output> = {}): PodSpec__Output {
  return {
    uid: 'u1',
    namespace: 'ns',
    name: 'p1',
    initContainers: [],
    containers: [container()],
    volumes: [],
    restartPolicy: '',
    ...over,
  };
}

function cm(
  name: string,
  data: Record<string, string>,
  extra: { items?: Array<{ key: string; path: string; mode?: number }>; defaultMode?: number } = {},
) {
  return {
    name,
    source: 'configMap' as const,
    configMap: {
      sourceName: name,
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)])),
      items: (extra.items ?? []).map((i) => ({ key: i.key, path: i.path, mode: i.mode })),
      defaultMode: extra.defaultMode,
    },
  };
}

const mount = (name: string, mountPath: string, subPath = '') => ({
  name,
  mountPath,
  subPath,
  readOnly: false,
});

describe('volume-plan', () => {
  it('lays out the wiki example: containers/c1/stress/job1/stress.sh, mode 0644', () => {
    const spec = pod({
      containers: [
        container({ image: 'direct-stress', volumeMounts: [mount('direct-stress', 'stress/job1')] }),
      ],
      volumes: [cm('direct-stress', { 'stress.sh': 'x' })],
    });
    const plan = planVolumes(spec, '/root/ns/p1');
    expect(plan.files.map((f) => [f.path, f.mode])).to.deep.equal([
      ['containers/c1/stress/job1/stress.sh', 0o644],
    ]);
    expect(plan.mounts.get('c1')).to.deep.equal([
      { kind: 'data', volumeName: 'direct-stress', mountPath: 'stress/job1', files: ['stress.sh'] },
    ]);
  });

  it('re-roots an absolute mountPath under the container directory', () => {
    const spec = pod({
      containers: [container({ volumeMounts: [mount('v', '/etc/conf')] })],
      volumes: [cm('v', { a: '1' })],
    });
    expect(planVolumes(spec, '/r').files[0]!.path).to.equal('containers/c1/etc/conf/a');
  });

  it('writes items at their paths with per-item mode, else defaultMode', () => {
    const spec = pod({
      containers: [container({ volumeMounts: [mount('v', 'm')] })],
      volumes: [
        cm(
          'v',
          { a: '1', b: '2', c: '3' },
          {
            items: [
              { key: 'a', path: 'x/a' },
              { key: 'b', path: 'b', mode: 0o600 },
            ],
            defaultMode: 0o640,
          },
        ),
      ],
    });
    expect(planVolumes(spec, '/r').files.map((f) => [f.path, f.mode])).to.deep.equal([
      ['containers/c1/m/x/a', 0o640],
      ['containers/c1/m/b', 0o600],
    ]);
  });

  it('puts an emptyDir under volumes/ and links each mount to it', () => {
    const spec = pod({
      containers: [
        container({ name: 'a', volumeMounts: [mount('cache', 'work/cache')] }),
        container({ name: 'b', volumeMounts: [mount('cache', 'cache')] }),
      ],
      volumes: [{ name: 'cache', source: 'emptyDir', emptyDir: {} }],
    });
    const plan = planVolumes(spec, '/r');
    expect(plan.dirs).to.include('volumes/cache');
    expect(plan.symlinks).to.deep.equal([
      { path: 'containers/a/work/cache', target: '../../../volumes/cache' },
      { path: 'containers/b/cache', target: '../../volumes/cache' },
    ]);
  });

  it('subPath picks one file and writes it at the mountPath', () => {
    const spec = pod({
      containers: [container({ volumeMounts: [mount('v', 'conf.ini', 'b')] })],
      volumes: [cm('v', { a: '1', b: '2' })],
    });
    expect(planVolumes(spec, '/r').files.map((f) => f.path)).to.deep.equal(['containers/c1/conf.ini']);
  });

  const refused: Array<[string, PodSpec__Output, RegExp]> = [
    [
      'mountPath ..',
      pod({
        containers: [container({ volumeMounts: [mount('v', '../x')] })],
        volumes: [cm('v', { a: '1' })],
      }),
      /pod\.containers\[0\]\.volumeMounts\[0\]\.mountPath: "\.\.\/x" contains "\.\."/,
    ],
    [
      'item path ..',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm')] })],
        volumes: [cm('v', { a: '1' }, { items: [{ key: 'a', path: '../../a' }] })],
      }),
      /pod\.volumes\[0\]\.configMap\.items\[0\]\.path/,
    ],
    [
      'absolute item path',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm')] })],
        volumes: [cm('v', { a: '1' }, { items: [{ key: 'a', path: '/a' }] })],
      }),
      /must be a relative path/,
    ],
    [
      'key ..',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm')] })],
        volumes: [cm('v', { '..': '1' })],
      }),
      /contains "\.\."/,
    ],
    [
      'key with slash',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm')] })],
        volumes: [cm('v', { 'a/b': '1' })],
      }),
      /a key must be a file name/,
    ],
    [
      'subPath ..',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm', '../a')] })],
        volumes: [cm('v', { a: '1' })],
      }),
      /subPath/,
    ],
    [
      'two volumes on one file',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm'), mount('w', 'm')] })],
        volumes: [cm('v', { a: '1' }), cm('w', { a: '2' })],
      }),
      /collides/,
    ],
    [
      'a file hiding another mount',
      pod({
        containers: [container({ volumeMounts: [mount('v', 'm'), mount('w', 'm/a')] })],
        volumes: [cm('v', { a: '1' }), cm('w', { b: '2' })],
      }),
      /"containers\/c1\/m\/a" collides/,
    ],
    [
      'a mount inside an emptyDir mount',
      pod({
        containers: [container({ volumeMounts: [mount('e', 'cache'), mount('v', 'cache/x')] })],
        volumes: [{ name: 'e', source: 'emptyDir', emptyDir: {} }, cm('v', { a: '1' })],
      }),
      /volume mount/,
    ],
    [
      'emptyDir at the container directory',
      pod({
        containers: [container({ volumeMounts: [mount('e', '/')] })],
        volumes: [{ name: 'e', source: 'emptyDir', emptyDir: {} }],
      }),
      /container directory itself/,
    ],
    [
      "the runner's stdout",
      pod({
        containers: [container({ volumeMounts: [mount('v', '/')] })],
        volumes: [cm('v', { stdout: 'x' })],
      }),
      /runner's file "stdout"/,
    ],
    [
      'workingDir ..',
      pod({ containers: [container({ workingDir: '../../..' })] }),
      /workingDir: "\.\.\/\.\.\/\.\." contains/,
    ],
    [
      'over-long mountPath',
      pod({
        containers: [container({ volumeMounts: [mount('v', Array(20).fill('z'.repeat(250)).join('/'))] })],
        volumes: [cm('v', { a: '1' })],
      }),
      /longer than 4095 bytes/,
    ],
  ];
  for (const [what, spec, message] of refused) {
    it(`refuses ${what} and names the field`, () => {
      expect(() => planVolumes(spec, '/root/ns/p1')).to.throw(UnsafePathError, message);
      const plan = planPod(spec, '/root/ns/p1');
      expect(plan.volumes).to.equal(undefined);
      for (const c of plan.containers) {
        expect(c.setupError?.reason).to.equal('copyFileError');
        expect(c.setupError?.message).to.match(/nothing was written$/);
      }
    });
  }
});
