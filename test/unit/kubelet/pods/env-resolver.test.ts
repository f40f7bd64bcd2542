import { expect } from 'chai';
import type {
  WireContainer,
  WireEnvFromSource,
  WireEnvVar,
  WirePod,
} from '../../../../src/kubelet/kube/wire-types.js';
import { ContainerConfigError } from '../../../../src/kubelet/errors.js';
import {
  fieldRefValue,
  formatMap,
  resolveEnv,
  resourceFieldValue,
} from '../../../../src/kubelet/pods/env-resolver.js';
import type { FetchedObjects } from '../../../../src/kubelet/pods/object-refs.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const objects: FetchedObjects = {
  configMaps: new Map([
    ['cm', { data: { who: 'world', 'bad key': 'x', COLOR: 'red' } }],
    ['missing', null],
  ]),
  secrets: new Map([
    ['sec', { data: { token: b64('s3cret'), PASS: b64('pw') } }],
    ['gone', null],
  ]),
};

const ctx = {
  hostIp: '10.0.0.5',
  podIp: '10.0.0.5',
  allocatable: { cpu: '8', memory: '17179869184', 'ephemeral-storage': '1000' },
};

function pod(container: Partial<WireContainer>): { pod: WirePod; container: WireContainer } {
  const c: WireContainer = { name: 'c1', image: 'x', ...container };
  return {
    container: c,
    pod: {
      metadata: {
        name: 'p1',
        namespace: 'ns1',
        uid: 'u-1',
        labels: { app: 'demo', tier: 'b"e' },
        annotations: { note: 'hi' },
      },
      spec: { nodeName: 'vk', serviceAccountName: 'sa', containers: [c] },
    },
  };
}

function env(e: WireEnvVar[], envFrom?: WireEnvFromSource[], extra: Partial<WireContainer> = {}) {
  const p = pod({ env: e, envFrom, ...extra });
  return resolveEnv(p.pod, p.container, objects, ctx);
}

describe('resolveEnv', () => {
  const ok: Array<{
    name: string;
    env: WireEnvVar[];
    envFrom?: WireEnvFromSource[];
    extra?: Partial<WireContainer>;
    want: Array<{ name: string; value: string }>;
  }> = [
    { name: 'plain value', env: [{ name: 'A', value: '1' }], want: [{ name: 'A', value: '1' }] },
    { name: 'empty value', env: [{ name: 'A' }], want: [{ name: 'A', value: '' }] },
    {
      name: '$(VAR) refers to earlier variables only; unknown stays; $$ escapes',
      env: [
        { name: 'A', value: 'x' },
        { name: 'B', value: '$(A)-$(C)-$$(A)' },
        { name: 'C', value: 'late' },
      ],
      want: [
        { name: 'A', value: 'x' },
        { name: 'B', value: 'x-$(C)-$(A)' },
        { name: 'C', value: 'late' },
      ],
    },
    {
      name: 'configMapKeyRef',
      env: [{ name: 'W', valueFrom: { configMapKeyRef: { name: 'cm', key: 'who' } } }],
      want: [{ name: 'W', value: 'world' }],
    },
    {
      name: 'optional configMapKeyRef, object missing',
      env: [{ name: 'W', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k', optional: true } } }],
      want: [],
    },
    {
      name: 'optional configMapKeyRef, key missing',
      env: [{ name: 'W', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope', optional: true } } }],
      want: [],
    },
    {
      name: 'secretKeyRef decodes base64',
      env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } }],
      want: [{ name: 'T', value: 's3cret' }],
    },
    {
      name: 'optional secretKeyRef',
      env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } }],
      want: [],
    },
    {
      name: 'valueFrom is not expanded',
      env: [
        { name: 'A', value: 'x' },
        { name: 'B', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
      ],
      want: [
        { name: 'A', value: 'x' },
        { name: 'B', value: 'hi' },
      ],
    },
    {
      name: 'envFrom configMap with prefix skips invalid names, env overrides',
      env: [{ name: 'P_COLOR', value: 'blue' }],
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'P_' }],
      want: [
        { name: 'P_COLOR', value: 'blue' },
        { name: 'P_who', value: 'world' },
      ],
    },
    {
      name: 'envFrom secret',
      env: [],
      envFrom: [{ secretRef: { name: 'sec' } }],
      want: [
        { name: 'PASS', value: 'pw' },
        { name: 'token', value: 's3cret' },
      ],
    },
    {
      name: 'optional envFrom missing',
      env: [],
      envFrom: [
        { configMapRef: { name: 'missing', optional: true } },
        { secretRef: { name: 'gone', optional: true } },
      ],
      want: [],
    },
    {
      name: 'env can reference envFrom values',
      env: [{ name: 'X', value: '$(COLOR)!' }],
      envFrom: [{ configMapRef: { name: 'cm' } }],
      want: [
        { name: 'COLOR', value: 'red' },
        { name: 'who', value: 'world' },
        { name: 'X', value: 'red!' },
      ],
    },
    {
      name: 'resourceFieldRef defaults limits to allocatable; divisor',
      env: [
        { name: 'LC', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'LM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'RC', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'RM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      ],
      extra: { resources: { requests: { cpu: '250m' } } },
      want: [
        { name: 'LC', value: '8' },
        { name: 'LM', value: '16384' },
        { name: 'RC', value: '250' },
        { name: 'RM', value: '0' },
      ],
    },
    {
      name: 'resourceFieldRef rounds up',
      env: [{ name: 'LC', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
      extra: { resources: { limits: { cpu: '1500m' } } },
      want: [{ name: 'LC', value: '2' }],
    },
  ];
  for (const t of ok) {
    it(t.name, () => {
      expect(env(t.env, t.envFrom, t.extra)).to.deep.equal(t.want);
    });
  }

  const failures: Array<{ name: string; env: WireEnvVar[]; envFrom?: WireEnvFromSource[]; message: string }> =
    [
      {
        name: 'configmap missing',
        env: [{ name: 'W', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }],
        message: 'configmap "missing" not found',
      },
      {
        name: 'configmap key missing',
        env: [{ name: 'W', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } }],
        message: "couldn't find key nope in ConfigMap ns1/cm",
      },
      {
        name: 'secret missing',
        env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }],
        message: 'secret "gone" not found',
      },
      {
        name: 'secret key missing',
        env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'sec', key: 'nope' } } }],
        message: "couldn't find key nope in Secret ns1/sec",
      },
      {
        name: 'envFrom configmap missing',
        env: [],
        envFrom: [{ configMapRef: { name: 'missing' } }],
        message: 'configmap "missing" not found',
      },
      {
        name: 'envFrom secret missing',
        env: [],
        envFrom: [{ secretRef: { name: 'gone' } }],
        message: 'secret "gone" not found',
      },
      {
        name: 'unsupported fieldPath',
        env: [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }],
        message: 'unsupported fieldPath: spec.hostname',
      },
      {
        name: 'unsupported resource',
        env: [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }],
        message: 'unsupported container resource : limits.gpu',
      },
    ];
  for (const t of failures) {
    it(`fails: ${t.name}`, () => {
      let caught: unknown;
      try {
        env(t.env, t.envFrom);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(ContainerConfigError);
      expect((caught as Error).message).to.equal(t.message);
      expect((caught as ContainerConfigError).containers).to.deep.equal(['c1']);
    });
  }
});

describe('fieldRefValue', () => {
  const { pod: p } = pod({});
  const cases: Array<[string, string]> = [
    ['metadata.name', 'p1'],
    ['metadata.namespace', 'ns1'],
    ['metadata.uid', 'u-1'],
    ["metadata.labels['app']", 'demo'],
    ["metadata.labels['absent']", ''],
    ["metadata.annotations['note']", 'hi'],
    ['metadata.labels', 'app="demo"\ntier="b\\"e"'],
    ['metadata.annotations', 'note="hi"'],
    ['spec.nodeName', 'vk'],
    ['spec.serviceAccountName', 'sa'],
    ['status.hostIP', '10.0.0.5'],
    ['status.podIP', '10.0.0.5'],
    ['status.podIPs', '10.0.0.5'],
  ];
  for (const [path, want] of cases) {
    it(path, () => expect(fieldRefValue(path, p, ctx)).to.equal(want));
  }
  it('formatMap sorts keys', () => expect(formatMap({ b: '2', a: '1' })).to.equal('a="1"\nb="2"'));
  it('resourceFieldValue ephemeral storage', () =>
    expect(resourceFieldValue('limits.ephemeral-storage', undefined, { name: 'c' }, ctx)).to.equal('1000'));
});
