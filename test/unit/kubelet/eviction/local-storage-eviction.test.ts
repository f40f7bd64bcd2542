import { expect } from 'chai';
import type { PodStats__Output } from '../../../../src/generated/vkcmd/runner/v1/PodStats.js';
import type { WireContainer, WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import {
  hasLocalStorageLimits,
  localStorageEviction,
  podStorageLimit,
} from '../../../../src/kubelet/eviction/local-storage-eviction.js';
import { formatQuantity, quantityFormat } from '../../../../src/kubelet/pods/quantity.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

function container(name: string, storage?: string): WireContainer {
  return { name, ...(storage ? { resources: { limits: { 'ephemeral-storage': storage } } } : {}) };
}

function pod(
  containers: WireContainer[],
  volumes: Array<{ name: string; sizeLimit?: string }> = [],
  initContainers: WireContainer[] = [],
): WirePod {
  return {
    metadata: { uid: 'u', namespace: 'ns', name: 'p' },
    spec: {
      containers,
      initContainers,
      volumes: volumes.map((v) => ({
        name: v.name,
        emptyDir: v.sizeLimit ? { sizeLimit: v.sizeLimit } : {},
      })),
    },
  };
}

function stats(
  containers: Array<{ name: string; rootfs: number; logs?: number }>,
  volumes: Array<{ name: string; used: number }> = [],
): PodStats__Output {
  return {
    uid: 'u',
    namespace: 'ns',
    name: 'p',
    containers: containers.map((c) => ({
      name: c.name,
      cpuUsageCoreNanoseconds: 0,
      memoryWorkingSetBytes: 0,
      memoryRssBytes: 0,
      processCount: 1,
      startedAtMs: 0,
      logsBytes: c.logs ?? 0,
      rootfsBytes: c.rootfs,
    })),
    volumes: volumes.map((v) => ({ name: v.name, usedBytes: v.used })),
  };
}

describe('quantity printing (resource.Quantity.String())', () => {
  const cases: Array<[number, string, string]> = [
    [Gi, 'BinarySI', '1Gi'],
    [1536 * Mi, 'BinarySI', '1536Mi'],
    [3 * Gi, 'BinarySI', '3Gi'],
    [512, 'BinarySI', '512'],
    [2000, 'DecimalSI', '2k'],
    [1_500_000_000, 'DecimalSI', '1500M'],
    [123, 'DecimalSI', '123'],
    [5000, 'DecimalExponent', '5e3'],
  ];
  for (const [value, format, want] of cases) {
    it(`${value} ${format} -> ${want}`, () =>
      expect(formatQuantity(value, format as 'BinarySI' | 'DecimalSI' | 'DecimalExponent')).to.equal(want));
  }

  it('the format of a quantity is the one it was written in', () => {
    expect(quantityFormat('1Gi')).to.equal('BinarySI');
    expect(quantityFormat('500M')).to.equal('DecimalSI');
    expect(quantityFormat('1e9')).to.equal('DecimalExponent');
    expect(quantityFormat(1000)).to.equal('DecimalSI');
  });
});

describe('podStorageLimit (resourcehelper.PodLimits for ephemeral-storage)', () => {
  it('sums the containers, in the first limit format', () => {
    const l = podStorageLimit(pod([container('a', '1Gi'), container('b', '512Mi')]))!;
    expect(formatQuantity(l.bytes, l.format)).to.equal('1536Mi');
  });
  it('takes the largest init container when it is more', () => {
    const l = podStorageLimit(pod([container('a', '100Mi')], [], [container('i', '2Gi')]))!;
    expect(l.bytes).to.equal(2 * Gi);
  });
  it('is undefined without any limit', () => {
    expect(podStorageLimit(pod([container('a')]))).to.equal(undefined);
  });
});

describe('localStorageEviction (the kubelet eviction manager, local storage)', () => {
  const cases: Array<{
    name: string;
    pod: WirePod;
    stats: PodStats__Output | undefined;
    want: { signal: string; message: string } | undefined;
  }> = [
    {
      name: 'an emptyDir past its sizeLimit',
      pod: pod([container('c')], [{ name: 'scratch', sizeLimit: '10Mi' }]),
      stats: stats([{ name: 'c', rootfs: 0 }], [{ name: 'scratch', used: 11 * Mi }]),
      want: {
        signal: 'emptydirfs.limit',
        message: 'Usage of EmptyDir volume "scratch" exceeds the limit "10Mi". ',
      },
    },
    {
      name: 'an emptyDir at its sizeLimit is not over it',
      pod: pod([container('c')], [{ name: 'scratch', sizeLimit: '10Mi' }]),
      stats: stats([{ name: 'c', rootfs: 0 }], [{ name: 'scratch', used: 10 * Mi }]),
      want: undefined,
    },
    {
      name: "the pod's total (rootfs, logs and emptyDirs) past the sum of its containers' limits",
      pod: pod([container('a', '10Mi'), container('b', '10Mi')], [{ name: 'scratch' }]),
      stats: stats(
        [
          { name: 'a', rootfs: 5 * Mi, logs: 1 * Mi },
          { name: 'b', rootfs: 5 * Mi },
        ],
        [{ name: 'scratch', used: 10 * Mi }],
      ),
      want: {
        signal: 'ephemeralpodfs.limit',
        message: 'Pod ephemeral local storage usage exceeds the total limit of containers 20Mi. ',
      },
    },
    {
      name: 'one container past its own limit, the pod within the total',
      pod: pod([container('a', '10Mi'), container('b', '100Mi')]),
      stats: stats([
        { name: 'a', rootfs: 10 * Mi, logs: 1 },
        { name: 'b', rootfs: 0 },
      ]),
      want: {
        signal: 'ephemeralcontainerfs.limit',
        message: 'Container a exceeded its local ephemeral storage limit "10Mi". ',
      },
    },
    {
      name: 'the emptyDir is checked before the pod total',
      pod: pod([container('a', '1Mi')], [{ name: 'scratch', sizeLimit: '2Mi' }]),
      stats: stats([{ name: 'a', rootfs: 0 }], [{ name: 'scratch', used: 3 * Mi }]),
      want: {
        signal: 'emptydirfs.limit',
        message: 'Usage of EmptyDir volume "scratch" exceeds the limit "2Mi". ',
      },
    },
    {
      name: 'within every limit',
      pod: pod([container('a', '1Gi')], [{ name: 'scratch', sizeLimit: '1Gi' }]),
      stats: stats([{ name: 'a', rootfs: Mi, logs: Mi }], [{ name: 'scratch', used: Mi }]),
      want: undefined,
    },
    {
      name: 'no stats for the pod (not running): nothing',
      pod: pod([container('a', '1')]),
      stats: undefined,
      want: undefined,
    },
    {
      name: 'a decimal limit prints as written (1G, not 1Gi)',
      pod: pod([container('a', '1G')]),
      stats: stats([{ name: 'a', rootfs: 1_000_000_001 }]),
      want: {
        signal: 'ephemeralpodfs.limit',
        message: 'Pod ephemeral local storage usage exceeds the total limit of containers 1G. ',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(localStorageEviction(c.pod, c.stats)).to.deep.equal(c.want));
  }

  it('hasLocalStorageLimits: a container limit or an emptyDir sizeLimit, nothing else', () => {
    expect(hasLocalStorageLimits(pod([container('a', '1Gi')]))).to.equal(true);
    expect(hasLocalStorageLimits(pod([container('a')], [{ name: 'v', sizeLimit: '1Mi' }]))).to.equal(true);
    expect(hasLocalStorageLimits(pod([container('a')], [{ name: 'v' }]))).to.equal(false);
  });
});
