import { expect } from 'chai';
import {
  canonicaliseMapEntries,
  mapEntryName,
  reflectionPackageDefinition,
} from '../../../../src/runner/server/reflection-descriptors.js';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';

describe('reflection descriptors', () => {
  const names: Array<[string, string]> = [
    ['data', 'DataEntry'],
    ['binary_data', 'BinaryDataEntry'],
    ['labels2_x', 'Labels2XEntry'],
  ];
  for (const [field, want] of names) {
    it(`names the map entry of ${field} ${want}`, () => expect(mapEntryName(field)).to.equal(want));
  }

  it('renames protobufjs-style entries and the references to them', () => {
    const message = {
      name: 'M',
      field: [
        { name: 'data', typeName: 'Data' },
        { name: 'other', typeName: '.pkg.Other' },
      ],
      nestedType: [{ name: 'Data', options: { mapEntry: true } }],
    };
    canonicaliseMapEntries(message);
    expect(message.nestedType[0]!.name).to.equal('DataEntry');
    expect(message.field[0]!.typeName).to.equal('DataEntry');
    expect(message.field[1]!.typeName).to.equal('.pkg.Other');
  });

  it('serves DataVolume.data with a protoc-style entry and snake_case field names', () => {
    const definition = reflectionPackageDefinition([]);
    const entry = definition['vkcmd.runner.v1.DataVolume'] as { fileDescriptorProtos: Buffer[] };
    const codec = (
      descriptorModule as unknown as {
        FileDescriptorProto: {
          decode(b: Uint8Array): {
            messageType: Array<{
              name: string;
              field: Array<{ name: string; typeName?: string }>;
              nestedType: Array<{ name: string }>;
            }>;
          };
        };
      }
    ).FileDescriptorProto;
    const files = entry.fileDescriptorProtos.map((b) => codec.decode(b));
    const dataVolume = files.flatMap((f) => f.messageType).find((m) => m.name === 'DataVolume')!;
    expect(dataVolume.nestedType.map((n) => n.name)).to.deep.equal(['DataEntry']);
    expect(dataVolume.field.map((f) => f.name)).to.include('source_name');
    expect(dataVolume.field.find((f) => f.name === 'data')?.typeName).to.match(/DataEntry$/);
  });
});
