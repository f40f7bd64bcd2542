import { expect } from 'chai';
import type { WirePod, WireVolume } from '../../../../src/kubelet/kube/wire-types.js';
import type { Volume } from '../../../../src/generated/vkcmd/runner/v1/Volume.js';
import { ContainerConfigError } from '../../../../src/kubelet/errors.js';
import { referencedObjects, type FetchedObjects } from '../../../../src/kubelet/pods/object-refs.js';
import { buildRunnerPodSpec } from '../../../../src/kubelet/pods/runner-pod-spec.js';
import { resolveVolumes } from '../../../../src/kubelet/pods/volume-resolver.js';
import { kubeApiAccessVolume } from '../../../fixtures/kubelet-api/pod-volumes.js';
import { b64, specContext } from '../support/pod-fixtures.js';

const ctx = specContext;

const kubeApiAccess = kubeApiAccessVolume();

function pod(volumes: WireVolume[]): WirePod {
  return {
    metadata: {
      name: 'p1',
      namespace: 'ns',
      uid: 'u1',
      labels: { app: 'a', tier: 'b' },
      annotations: { n: '1' },
    },
    spec: {
      serviceAccountName: 'default',
      containers: [
        {
          name: 'c1',
          image: 'none',
          command: ['sleep', '1'],
          resources: { limits: { memory: '64Mi' } },
          volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: `/mnt/${v.name}`, readOnly: true })),
        },
      ],
      volumes,
    },
  };
}

const objects = (overrides: Partial<FetchedObjects> = {}): FetchedObjects => ({
  configMaps: new Map([['kube-root-ca.crt', { data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' } }]]),
  secrets: new Map(),
  ...overrides,
});

/** The files a runner data volume describes: path -> [text, mode]. */
function files(v: Volume): Record<string, [string, number | undefined]> {
  const data = v.secret ?? v.configMap!;
  const out: Record<string, [string, number | undefined]> = {};
  for (const item of data.items ?? []) {
    out[item.path ?? ''] = [(data.data?.[item.key ?? ''] as Buffer).toString('utf8'), item.mode ?? undefined];
  }
  return out;
}

describe('projected and downwardAPI volumes', () => {
  it("resolves the default kube-api-access volume to the cluster CA and the pod's namespace, without a token", () => {
    const { volumes, skipped } = resolveVolumes(pod([kubeApiAccess]), objects(), ctx);
    expect(skipped).to.deep.equal([]);
    expect(volumes).to.have.length(1);
    expect(volumes[0]!.secret?.defaultMode).to.equal(420);
    expect(files(volumes[0]!)).to.deep.equal({
      'ca.crt': ['-----BEGIN CERTIFICATE-----\n', undefined],
      namespace: ['ns', undefined],
    });
    const { spec } = buildRunnerPodSpec(pod([kubeApiAccess]), objects(), ctx);
    expect(spec.containers![0]!.volumeMounts).to.have.length(1);
  });

  it('waits (CreateContainerConfigError) while kube-root-ca.crt is missing, as the kubelet fails the mount', () => {
    const missing = objects({ configMaps: new Map([['kube-root-ca.crt', null]]) });
    expect(() => resolveVolumes(pod([kubeApiAccess]), missing, ctx))
      .to.throw(ContainerConfigError, 'configmap "kube-root-ca.crt" not found')
      .with.property('containers')
      .that.deep.equals(['c1']);
  });

  it('projects configMap and secret sources with items, nested paths, modes and optional objects', () => {
    const volume: WireVolume = {
      name: 'bundle',
      projected: {
        defaultMode: 0o640,
        sources: [
          { configMap: { name: 'cm' } },
          { secret: { name: 's', items: [{ key: 'pw', path: 'auth/pw', mode: 0o400 }] } },
          { configMap: { name: 'absent', optional: true } },
          { secret: { name: 's', items: [{ key: 'nope', path: 'x' }], optional: true } },
        ],
      },
    };
    const fetched = objects({
      configMaps: new Map([
        ['cm', { data: { 'run.sh': 'echo hi' }, binaryData: { raw: b64('\u0001') } }],
        ['absent', null],
      ]),
      secrets: new Map([['s', { data: { pw: b64('secret'), other: b64('o') } }]]),
    });
    const { volumes } = resolveVolumes(pod([volume]), fetched, ctx);
    expect(volumes[0]!.secret?.defaultMode).to.equal(0o640);
    expect(files(volumes[0]!)).to.deep.equal({
      raw: ['\u0001', undefined],
      'run.sh': ['echo hi', undefined],
      'auth/pw': ['secret', 0o400],
    });
  });

  const failing: Array<[string, WireVolume, string]> = [
    [
      'a required projected secret',
      { name: 'v', projected: { sources: [{ secret: { name: 'gone' } }] } },
      'secret "gone" not found',
    ],
    [
      'a missing key of a projected configMap',
      {
        name: 'v',
        projected: { sources: [{ configMap: { name: 'cm', items: [{ key: 'k', path: 'k' }] } }] },
      },
      'configmap references non-existent config key: k',
    ],
    [
      'a downward API resource of an unknown container',
      {
        name: 'v',
        downwardAPI: {
          items: [{ path: 'mem', resourceFieldRef: { containerName: 'zz', resource: 'limits.memory' } }],
        },
      },
      'container zz not found',
    ],
    [
      'an unsupported downward API field',
      { name: 'v', downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'status.phase' } }] } },
      'unsupported fieldPath: status.phase',
    ],
  ];
  for (const [title, volume, message] of failing) {
    it(`refuses ${title} with CreateContainerConfigError`, () => {
      const fetched = objects({
        configMaps: new Map([['cm', { data: {} }]]),
        secrets: new Map([['gone', null]]),
      });
      expect(() => resolveVolumes(pod([volume]), fetched, ctx)).to.throw(ContainerConfigError, message);
    });
  }

  it('writes downwardAPI volumes: metadata fields, label maps and container resources, with modes', () => {
    const volume: WireVolume = {
      name: 'podinfo',
      downwardAPI: {
        defaultMode: 0o600,
        items: [
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o644 },
          {
            path: 'res/mem',
            resourceFieldRef: { containerName: 'c1', resource: 'limits.memory', divisor: '1Mi' },
          },
          { path: 'res/cpu', resourceFieldRef: { containerName: 'c1', resource: 'limits.cpu' } },
        ],
      },
    };
    const { volumes } = resolveVolumes(pod([volume]), objects(), ctx);
    expect(volumes[0]!.configMap?.defaultMode).to.equal(0o600);
    expect(files(volumes[0]!)).to.deep.equal({
      name: ['p1', undefined],
      labels: ['app="a"\ntier="b"', undefined],
      app: ['a', undefined],
      annotations: ['n="1"', 0o644],
      'res/mem': ['64', undefined],
      'res/cpu': ['4', undefined],
    });
  });

  it('leaves out volumes it cannot provide and their mounts, and reports them', () => {
    const volumes: WireVolume[] = [
      { name: 'host', hostPath: { path: '/data' } },
      { name: 'claim', persistentVolumeClaim: { claimName: 'c' } },
      { name: 'share', nfs: { server: 'nfs', path: '/x' } },
      {
        name: 'mixed',
        projected: {
          sources: [
            { clusterTrustBundle: { path: 'bundle.pem', name: 'b' } },
            { downwardAPI: { items: [{ path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } }] } },
          ],
        },
      },
      { name: 'scratch', emptyDir: {} },
    ];
    const { spec, skipped } = buildRunnerPodSpec(pod(volumes), objects(), ctx);
    expect(skipped).to.deep.equal([
      { name: 'host', kind: 'hostPath volume' },
      { name: 'claim', kind: 'persistentVolumeClaim volume' },
      { name: 'share', kind: 'nfs volume' },
      { name: 'mixed', kind: 'clusterTrustBundle source of a projected volume' },
    ]);
    expect(spec.volumes!.map((v) => v.name)).to.deep.equal(['mixed', 'scratch']);
    expect(spec.containers![0]!.volumeMounts!.map((m) => m.name)).to.deep.equal(['mixed', 'scratch']);
    expect(files(spec.volumes![0]!)).to.deep.equal({ uid: ['u1', undefined] });
  });

  it('collects the objects projected volumes refer to', () => {
    const refs = referencedObjects(
      pod([
        kubeApiAccess,
        {
          name: 'v',
          projected: {
            sources: [
              { secret: { name: 's1' } },
              { serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'vault-token' } },
            ],
          },
        },
      ]),
    );
    expect([...refs.configMaps]).to.deep.equal(['kube-root-ca.crt']);
    expect([...refs.secrets]).to.deep.equal(['s1']);
  });
});
