import { expect } from 'chai';
import type { PodSpec__Output } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { InvalidInputError } from '../../../../src/common/errors.js';
import { mountNamedByImage } from '../../../../src/runner/files/script-resolution.js';
import {
  isDnsLabel,
  isDnsSubdomain,
  restartPolicyOf,
  validatePodSpec,
} from '../../../../src/runner/pods/pod-spec-validation.js';
import { container, pod } from '../files/volume-plan.test.js';

describe('pod-spec-validation', () => {
  it('accepts the wiki example', () => {
    const spec = pod({
      containers: [
        container({
          image: 'direct-stress',
          volumeMounts: [{ name: 'direct-stress', mountPath: 'stress/job1', subPath: '', readOnly: false }],
        }),
      ],
      volumes: [
        {
          name: 'direct-stress',
          source: 'configMap',
          configMap: { sourceName: 'direct-stress', data: { 'stress.sh': Buffer.from('x') }, items: [] },
        },
      ],
    });
    expect(validatePodSpec(spec)).to.equal(spec);
  });

  const invalid: Array<[string, (p: PodSpec__Output) => void, string]> = [
    ['missing pod', () => undefined, 'pod: must be set'],
    ['uid', (p) => (p.uid = ''), 'pod.uid: must not be empty'],
    ['uid path', (p) => (p.uid = 'a/b'), 'pod.uid: "a/b" must be'],
    ['namespace', (p) => (p.namespace = 'Upper'), 'pod.namespace: "Upper" must be a DNS label'],
    ['name', (p) => (p.name = 'a_b'), 'pod.name: "a_b" must be a DNS subdomain'],
    [
      'restart policy',
      (p) => (p.restartPolicy = 'always'),
      'pod.restartPolicy: "always" must be Always, OnFailure or Never',
    ],
    ['no containers', (p) => (p.containers = []), 'pod.containers: must hold at least one container'],
    ['container name', (p) => (p.containers[0]!.name = ''), 'pod.containers[0].name: must not be empty'],
    [
      'container name label',
      (p) => (p.containers[0]!.name = '-x'),
      'pod.containers[0].name: "-x" must be a DNS label',
    ],
    [
      'duplicate names',
      (p) => (p.initContainers = [container()]),
      'pod.containers[0].name: "c1" is used by another container of the pod',
    ],
    [
      'init container',
      (p) => (p.initContainers = [container({ name: 'i', command: [] })]),
      'pod.initContainers[0].command: must not be empty when there is no image',
    ],
    [
      'env name',
      (p) => (p.containers[0]!.env = [{ name: 'A=B', value: '' }]),
      'pod.containers[0].env[0].name',
    ],
    [
      'env NUL',
      (p) => (p.containers[0]!.env = [{ name: 'A', value: '\0' }]),
      'pod.containers[0].env[0].value: must not contain a NUL byte',
    ],
    [
      'command NUL',
      (p) => (p.containers[0]!.command = ['a\0']),
      'pod.containers[0].command[0]: must not contain a NUL byte',
    ],
    [
      'mount without volume',
      (p) => (p.containers[0]!.volumeMounts = [{ name: 'x', mountPath: 'm', subPath: '', readOnly: false }]),
      'pod.containers[0].volumeMounts[0].name: "x" names no volume of the pod',
    ],
    [
      'empty mountPath',
      (p) => {
        p.volumes = [{ name: 'x', source: 'emptyDir', emptyDir: {} }];
        p.containers[0]!.volumeMounts = [{ name: 'x', mountPath: '', subPath: '', readOnly: false }];
      },
      'pod.containers[0].volumeMounts[0].mountPath: must not be empty',
    ],
    [
      'volume without source',
      (p) => (p.volumes = [{ name: 'x' }]),
      'pod.volumes[0]: must set one of configMap, secret or emptyDir',
    ],
    [
      'duplicate volume',
      (p) =>
        (p.volumes = [
          { name: 'x', source: 'emptyDir', emptyDir: {} },
          { name: 'x', source: 'emptyDir', emptyDir: {} },
        ]),
      'pod.volumes[1].name: "x" is used by another volume',
    ],
    [
      'item key missing',
      (p) =>
        (p.volumes = [
          {
            name: 'x',
            source: 'secret',
            secret: { sourceName: 's', data: {}, items: [{ key: 'k', path: 'p' }] },
          },
        ]),
      'pod.volumes[0].secret.items[0].key: "k" is not a key of secret "s"',
    ],
    [
      'item mode',
      (p) =>
        (p.volumes = [
          {
            name: 'x',
            source: 'secret',
            secret: {
              sourceName: 's',
              data: { k: Buffer.from('') },
              items: [{ key: 'k', path: 'p', mode: -1 }],
            },
          },
        ]),
      'pod.volumes[0].secret.items[0].mode: -1 must be between 0 and 0777',
    ],
    [
      'nothing to run',
      (p) => (p.containers[0]!.command = []),
      'pod.containers[0].command: must not be empty when there is no image naming a volumeMount',
    ],
  ];
  for (const [what, mutate, message] of invalid) {
    it(`INVALID_ARGUMENT: ${what}`, () => {
      const spec = pod();
      mutate(spec);
      expect(() => validatePodSpec(what === 'missing pod' ? undefined : spec)).to.throw(
        InvalidInputError,
        message,
      );
    });
  }

  it('names and helpers', () => {
    expect(['a', 'a-b', '0x', 'a'.repeat(63)].every(isDnsLabel)).to.equal(true);
    expect(['', 'A', '-a', 'a-', 'a.b', 'a'.repeat(64), '..'].some(isDnsLabel)).to.equal(false);
    expect(isDnsSubdomain('a.b-c.d')).to.equal(true);
    expect(isDnsSubdomain('a..b')).to.equal(false);
    expect([
      restartPolicyOf({ restartPolicy: '' }),
      restartPolicyOf({ restartPolicy: 'OnFailure' }),
    ]).to.deep.equal(['Never', 'OnFailure']);
    const mounts = [{ name: 'v', mountPath: 'm', subPath: '', readOnly: false }];
    expect(mountNamedByImage({ image: 'v', volumeMounts: mounts })).to.deep.equal({
      mountIndex: 0,
      file: undefined,
    });
    expect(mountNamedByImage({ image: 'v/run.sh', volumeMounts: mounts })).to.deep.equal({
      mountIndex: 0,
      file: 'run.sh',
    });
    expect(mountNamedByImage({ image: 'docker.io/v', volumeMounts: mounts })).to.equal(undefined);
  });
});
