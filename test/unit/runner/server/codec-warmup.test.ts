import { expect } from 'chai';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import {
  PROTO_LOADER_OPTIONS,
  protoDir,
  RUNNER_PROTO_FILE,
  RUNNER_SERVICE_NAME,
} from '../../../../src/common/proto.js';
import {
  objectFieldName,
  POD_LIFECYCLE_METHODS,
  resolveTypeName,
  sampleMessage,
  warmUpCodecs,
} from '../../../../src/runner/server/codec-warmup.js';

/** A package definition of its own: loadRunnerProto's is shared, and these tests need codecs not built yet. */
function freshDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(RUNNER_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir()] });
}

/** Counts the message types protobufjs builds codecs for while `fn` runs. */
function setupsDuring(fn: () => void): string[] {
  const proto = protobuf.Type.prototype as unknown as { setup: (this: protobuf.Type) => unknown };
  const original = proto.setup;
  const built: string[] = [];
  proto.setup = function (this: protobuf.Type) {
    built.push(this.name);
    return original.call(this);
  };
  try {
    fn();
  } finally {
    proto.setup = original;
  }
  return built;
}

const PKG = 'vkcmd.runner.v1';

/** A pod as the kubelet sends it, and the event the runner sends back once it runs. */
const CREATE = {
  pod: {
    uid: 'u1',
    namespace: 'default',
    name: 'p',
    restartPolicy: 'Never',
    containers: [{ name: 'c1', image: 'busybox', command: ['sleep', '1'], env: [{ name: 'A', value: 'b' }] }],
  },
};

describe('codec warm-up: a pod lifecycle builds no codec after the runner starts', () => {
  it('objectFieldName follows proto-loader with keepCase off', () => {
    const rows: Array<[string, string]> = [
      ['uid', 'uid'],
      ['restart_policy', 'restartPolicy'],
      ['started_at_ms', 'startedAtMs'],
      ['_x', '_x'],
      // As protobufjs: a letter followed by another underscore keeps its own.
      ['a_b_c', 'a_bC'],
    ];
    for (const [name, want] of rows) expect(objectFieldName(name), name).to.equal(want);
  });

  it('resolveTypeName looks from the message outwards, as protobuf does', () => {
    const d = freshDefinition();
    expect(resolveTypeName(d, `${PKG}.CreatePodRequest`, 'PodSpec')).to.equal(`${PKG}.PodSpec`);
    expect(resolveTypeName(d, `${PKG}.CreatePodRequest`, `.${PKG}.PodSpec`)).to.equal(`${PKG}.PodSpec`);
    expect(resolveTypeName(d, `${PKG}.CreatePodRequest`, 'NoSuchType')).to.equal(undefined);
    expect(resolveTypeName(d, `${PKG}.CreatePodRequest`, '.no.such.Type')).to.equal(undefined);
  });

  it('sampleMessage sets fields down the nested messages, and it survives the serializers', () => {
    const d = freshDefinition();
    const sample = sampleMessage(d, `${PKG}.CreatePodRequest`) as {
      pod: { containers: Array<{ env: Array<{ name: string }>; command: string[] }> };
    };
    expect(sample.pod.containers[0]!.env[0]!.name).to.equal('x');
    const method = (d[RUNNER_SERVICE_NAME] as protoLoader.ServiceDefinition)['CreatePod']!;
    const back = method.requestDeserialize(method.requestSerialize(sample)) as typeof sample;
    expect(back.pod.containers[0]!.command).to.deep.equal(['x']);
    expect(sampleMessage(d, `${PKG}.NoSuchType`)).to.deep.equal({});
  });

  it('without it the first CreatePod, pod command and WatchPods event build codecs; after it, none', () => {
    const pass = (d: protoLoader.PackageDefinition): string[] => {
      const service = d[RUNNER_SERVICE_NAME] as protoLoader.ServiceDefinition;
      const create = service['CreatePod']!;
      const watch = service['WatchPods']!;
      const commands = service['PodCommands']!;
      const event = {
        type: 'WATCH_EVENT_TYPE_MODIFIED',
        revision: 2,
        pod: {
          uid: 'u1',
          namespace: 'default',
          name: 'p',
          containerStatuses: [{ name: 'c1', state: { running: { startedAtMs: 1 } } }],
        },
      };
      return setupsDuring(() => {
        create.requestDeserialize(create.requestSerialize(CREATE));
        commands.requestDeserialize(commands.requestSerialize({ requestId: 1, createPod: CREATE }));
        commands.responseSerialize({ requestId: 1, pod: event.pod });
        watch.responseSerialize(event);
      });
    };
    expect(pass(freshDefinition())).to.include.members(['PodSpec', 'Container']);
    const warmed = freshDefinition();
    expect(warmUpCodecs(warmed, RUNNER_SERVICE_NAME, POD_LIFECYCLE_METHODS)).to.equal(8);
    expect(pass(warmed)).to.deep.equal([]);
  });

  it('names no method it does not know, and passes nothing for them', () => {
    expect(warmUpCodecs(freshDefinition(), RUNNER_SERVICE_NAME, ['NoSuchMethod'])).to.equal(0);
    expect(warmUpCodecs(freshDefinition(), 'no.such.Service', POD_LIFECYCLE_METHODS)).to.equal(0);
  });
});
