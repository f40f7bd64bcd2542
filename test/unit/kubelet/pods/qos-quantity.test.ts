import { expect } from 'chai';
import type { WireContainer, WirePod } from '../../../../src/kubelet/kube/wire-types.js';
import { qosClass } from '../../../../src/kubelet/pods/qos-class.js';
import { milliValue, parseQuantity } from '../../../../src/kubelet/pods/quantity.js';

const pod = (...containers: Array<WireContainer['resources']>): WirePod => ({
  spec: { containers: containers.map((resources, i) => ({ name: `c${i}`, resources })) },
});

describe('qosClass', () => {
  const cases: Array<[string, WirePod, string]> = [
    ['no resources', pod(undefined), 'BestEffort'],
    ['zero requests', pod({ requests: { cpu: '0' } }), 'BestEffort'],
    ['requests only', pod({ requests: { cpu: '100m' } }), 'Burstable'],
    [
      'limits = requests for cpu and memory',
      pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }),
      'Guaranteed',
    ],
    [
      'limits only (requests default to them)',
      pod({ limits: { cpu: '500m', memory: '128Mi' } }),
      'Guaranteed',
    ],
    [
      'equal in other units',
      pod({ requests: { cpu: '1000m', memory: '1024Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
      'Guaranteed',
    ],
    [
      'limits above requests',
      pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }),
      'Burstable',
    ],
    ['cpu limit only', pod({ limits: { cpu: '1' } }), 'Burstable'],
    ['one guaranteed, one best effort', pod({ limits: { cpu: '1', memory: '1Gi' } }, undefined), 'Burstable'],
    ['ephemeral-storage is ignored', pod({ requests: { 'ephemeral-storage': '1Gi' } }), 'BestEffort'],
  ];
  for (const [name, p, want] of cases) it(name, () => expect(qosClass(p)).to.equal(want));
});

describe('parseQuantity', () => {
  const cases: Array<[string, number]> = [
    ['500m', 0.5],
    ['2', 2],
    ['1Ki', 1024],
    ['1Gi', 1024 ** 3],
    ['1k', 1000],
    ['1M', 1e6],
    ['1e3', 1000],
    ['0.5', 0.5],
  ];
  for (const [q, v] of cases) it(q, () => expect(parseQuantity(q)).to.equal(v));
  it('rejects garbage', () => expect(() => parseQuantity('1 cpu')).to.throw(/invalid quantity/));
  it('milliValue rounds up', () => expect(milliValue('0.0001')).to.equal(1));
});
