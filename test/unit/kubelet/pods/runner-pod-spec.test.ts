import { expect } from 'chai';
import type { WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { ContainerConfigError } from '../../../../src/kubelet/errors.js';
import type { FetchedObjects } from '../../../../src/kubelet/pods/object-refs.js';
import { referencedObjects } from '../../../../src/kubelet/pods/object-refs.js';
import { buildRunnerPodSpec, effectiveRestartPolicy } from '../../../../src/kubelet/pods/runner-pod-spec.js';
import { resolveVolumes } from '../../../../src/kubelet/pods/volume-resolver.js';
import { b64, specContext } from '../support/pod-fixtures.js';

const ctx = specContext;

function wikiPod(volumes: NonNullable<WirePod['spec']>['volumes']): WirePod {
  return {
    metadata: { name: 'p1', namespace: 'ns', uid: 'u1' },
    spec: {
      restartPolicy: 'Always',
      containers: [
        {
          name: 'c1',
          image: 'direct-stress',
          command: ['bash'],
          args: ['300', '2'],
          volumeMounts: [
            { name: 'direct-stress', mountPath: 'stress/job1' },
            {
              name: 'kube-api-access',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
        },
        { name: 'c2', image: 'none', command: ['sleep', '1'] },
      ],
      volumes,
    },
  };
}

const hostPath = { name: 'kube-api-access', hostPath: { path: '/var/run/secrets' } };

describe('resolveVolumes and buildRunnerPodSpec', () => {
  it('maps the wiki example and leaves out unsupported (hostPath) volumes and their mounts', () => {
    const objects: FetchedObjects = {
      configMaps: new Map([
        [
          'direct-stress',
          { data: { 'stress.sh': '#!/bin/bash\nstress\n' }, binaryData: { 'bin.dat': b64('\u0001\u0002') } },
        ],
      ]),
      secrets: new Map(),
    };
    const pod = wikiPod([
      { name: 'direct-stress', configMap: { name: 'direct-stress', defaultMode: 0o755 } },
      hostPath,
    ]);
    const { spec, skipped } = buildRunnerPodSpec(pod, objects, ctx);
    expect(skipped).to.deep.equal([{ name: 'kube-api-access', kind: 'hostPath volume' }]);
    expect(spec.restartPolicy).to.equal('Always');
    expect(spec.volumes).to.have.length(1);
    const vol = spec.volumes![0]!;
    expect(vol.name).to.equal('direct-stress');
    expect(vol.configMap?.defaultMode).to.equal(0o755);
    expect((vol.configMap?.data?.['stress.sh'] as Buffer).toString()).to.equal('#!/bin/bash\nstress\n');
    expect([...(vol.configMap?.data?.['bin.dat'] as Buffer)]).to.deep.equal([1, 2]);
    expect(spec.containers![0]!.volumeMounts).to.deep.equal([
      { name: 'direct-stress', mountPath: 'stress/job1', subPath: '', readOnly: false },
    ]);
    expect(spec.containers![0]!.args).to.deep.equal(['300', '2']);
  });

  it('decodes secret data, keeps items and modes, and maps emptyDir', () => {
    const objects: FetchedObjects = {
      configMaps: new Map(),
      secrets: new Map([['s', { data: { a: b64('A'), b: b64('B') } }]]),
    };
    const pod = wikiPod([
      {
        name: 'direct-stress',
        secret: { secretName: 's', items: [{ key: 'a', path: 'x/a.txt', mode: 0o600 }] },
      },
      { name: 'scratch', emptyDir: {} },
    ]);
    const { volumes, skipped } = resolveVolumes(pod, objects, ctx);
    expect(skipped).to.deep.equal([]);
    expect(volumes[0]!.secret?.items).to.deep.equal([{ key: 'a', path: 'x/a.txt', mode: 0o600 }]);
    expect((volumes[0]!.secret?.data?.['b'] as Buffer).toString()).to.equal('B');
    expect(volumes[1]).to.deep.equal({ name: 'scratch', emptyDir: {} });
  });

  const failing: Array<{
    name: string;
    volumes: NonNullable<WirePod['spec']>['volumes'];
    objects: FetchedObjects;
    message: string;
  }> = [
    {
      name: 'missing configmap',
      volumes: [{ name: 'direct-stress', configMap: { name: 'direct-stress' } }],
      objects: { configMaps: new Map([['direct-stress', null]]), secrets: new Map() },
      message: 'configmap "direct-stress" not found',
    },
    {
      name: 'missing secret',
      volumes: [{ name: 'direct-stress', secret: { secretName: 's' } }],
      objects: { configMaps: new Map(), secrets: new Map([['s', null]]) },
      message: 'secret "s" not found',
    },
    {
      name: 'item key missing',
      volumes: [{ name: 'direct-stress', configMap: { name: 'cm', items: [{ key: 'nope', path: 'x' }] } }],
      objects: { configMaps: new Map([['cm', { data: { a: '1' } }]]), secrets: new Map() },
      message: 'configmap references non-existent config key: nope',
    },
  ];
  for (const t of failing) {
    it(`fails with CreateContainerConfigError: ${t.name}, naming the mounting container`, () => {
      let caught: unknown;
      try {
        buildRunnerPodSpec(wikiPod(t.volumes), t.objects, ctx);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(ContainerConfigError);
      expect((caught as Error).message).to.equal(t.message);
      expect((caught as ContainerConfigError).containers).to.deep.equal(['c1']);
    });
  }

  it('an optional missing configmap gives an empty volume; optional missing items are skipped', () => {
    const pod = wikiPod([
      { name: 'direct-stress', configMap: { name: 'cm', optional: true, items: [{ key: 'k', path: 'p' }] } },
    ]);
    const { volumes } = resolveVolumes(pod, { configMaps: new Map([['cm', null]]), secrets: new Map() }, ctx);
    expect(volumes[0]!.configMap?.data).to.deep.equal({});
    expect(volumes[0]!.configMap?.items).to.deep.equal([]);
  });

  it('restart policy: honoured, defaulted to Always, or Never with --ignore-restart-policy', () => {
    const p = (policy?: string): WirePod => ({ spec: { containers: [], restartPolicy: policy } });
    expect(effectiveRestartPolicy(p('OnFailure'), false)).to.equal('OnFailure');
    expect(effectiveRestartPolicy(p(undefined), false)).to.equal('Always');
    expect(effectiveRestartPolicy(p('Always'), true)).to.equal('Never');
  });

  it('collects referenced objects from volumes, env and envFrom', () => {
    const pod: WirePod = {
      spec: {
        volumes: [
          { name: 'a', configMap: { name: 'cm1' } },
          { name: 'b', secret: { secretName: 's1' } },
        ],
        initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 's2' } }] }],
        containers: [
          { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm2', key: 'k' } } }] },
        ],
      },
    };
    const refs = referencedObjects(pod);
    expect([...refs.configMaps].sort()).to.deep.equal(['cm1', 'cm2']);
    expect([...refs.secrets].sort()).to.deep.equal(['s1', 's2']);
  });
});
