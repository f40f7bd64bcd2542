import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { microTime, rfc3339, timeMs } from '../../../../src/kubelet/kube-time.js';
import type {
  Wire,
  WireContainer,
  WireContainerStatus,
  WireEvent,
  WireLease,
  WireNodeCondition,
  WirePod,
  WirePodCondition,
  WireTaint,
  WireTime,
} from '../../../../src/kubelet/kube/wire-types.js';
import { withTransitionTimes } from '../../../../src/kubelet/pods/pod-conditions.js';

// Most of this file is checked by the compiler: each `@ts-expect-error` line must
// fail to type-check, or the build fails. The `it` blocks keep the lines running
// and check the values JSON really carries.

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Equal<A, B>): boolean => proof;

const T = '2025-01-02T03:04:05Z';
const when = new Date(T);

describe('wire types', () => {
  it('turn every Date member into a wire time, at any depth', () => {
    expect(same<NonNullable<NonNullable<WirePod['metadata']>['creationTimestamp']>, WireTime>(true)).to.equal(
      true,
    );
    expect(same<NonNullable<NonNullable<WireLease['spec']>['renewTime']>, string>(true)).to.equal(true);
    type Terminated = NonNullable<NonNullable<WireContainerStatus['lastState']>['terminated']>;
    expect(same<Terminated['finishedAt'], string | undefined>(true)).to.equal(true);
    expect(same<NonNullable<WireTaint['timeAdded']>, string>(true)).to.equal(true);
    // Members that are not times keep their types and optionality.
    expect(same<WireContainer['name'], string>(true)).to.equal(true);
    expect(same<WireContainer['args'], string[] | undefined>(true)).to.equal(true);
    expect(
      same<Wire<{ a?: number; b: readonly Date[] }>, { a?: number; b: readonly string[] }>(true),
    ).to.equal(true);
  });

  it('refuse a Date where a wire time is expected', () => {
    // @ts-expect-error a Date is not a wire time (metadata)
    const created: WirePod = { metadata: { creationTimestamp: when } };
    const pod: WirePod = {
      status: {
        // @ts-expect-error a Date is not a wire time (through an optional member)
        startTime: when,
        // @ts-expect-error a Date is not a wire time (in an array element)
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: when }],
        containerStatuses: [
          {
            name: 'c1',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 0,
            // @ts-expect-error a Date is not a wire time (deep in a container state)
            state: { terminated: { exitCode: 0, finishedAt: when } },
          },
        ],
      },
    };
    // @ts-expect-error a MicroTime is a string too
    const lease: WireLease = { spec: { renewTime: when } };
    // @ts-expect-error a Date is not a wire time (event)
    const event: WireEvent = { metadata: {}, involvedObject: {}, lastTimestamp: when };
    // @ts-expect-error a Date is not a wire time (node condition)
    const condition: WireNodeCondition = { type: 'Ready', status: 'True', lastHeartbeatTime: when };
    // @ts-expect-error timeMs parses wire times only
    timeMs(when);
    // @ts-expect-error transition times are wire times
    withTransitionTimes([], [], when);
    expect([created, pod, lease, event, condition]).to.have.length(5);
  });

  it('do not mix with client-node objects, whose times are Dates', () => {
    const deserialised: V1Pod = { metadata: { creationTimestamp: when } };
    // @ts-expect-error client-node's Date is not what the wire carries
    const wire: WirePod = deserialised;
    // @ts-expect-error nor is a wire object what client-node's deserialiser returns
    const back: V1Pod = { metadata: { creationTimestamp: T } } satisfies WirePod;
    expect([wire, back]).to.have.length(2);
  });

  it('accept the strings the API server sends, and survive a JSON round trip', () => {
    const condition: WirePodCondition = { type: 'Ready', status: 'True', lastTransitionTime: T };
    const pod: WirePod = {
      metadata: { name: 'p', creationTimestamp: T },
      status: { startTime: T, conditions: [condition] },
    };
    const lease: WireLease = { spec: { renewTime: microTime(Date.parse(T)) } };
    expect(JSON.parse(JSON.stringify(pod))).to.deep.equal(pod);
    expect(lease.spec?.renewTime).to.equal('2025-01-02T03:04:05.000000Z');
    expect(rfc3339(Date.parse(T) + 999)).to.equal(T);
  });
});

describe('timeMs', () => {
  const cases: Array<[string, WireTime | undefined | null, number | undefined]> = [
    ['metav1.Time', T, Date.parse(T)],
    ['metav1.MicroTime', '2025-01-02T03:04:05.123456Z', Date.parse(T) + 123],
    ['an offset', '2025-01-02T04:04:05+01:00', Date.parse(T)],
    ['absent', undefined, undefined],
    ['null', null, undefined],
    ['not a time', 'yesterday', undefined],
  ];
  for (const [name, value, want] of cases) {
    it(name, () => expect(timeMs(value)).to.equal(want));
  }
});
