import * as protoLoader from '@grpc/proto-loader';
// protobufjs ships the descriptor extension as CommonJS without types of its own for this path.
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import { protoDir, RUNNER_PROTO_FILE } from '../../common/proto.js';

interface MessageDescriptor {
  name?: string;
  field?: Array<{ name?: string; typeName?: string }>;
  nestedType?: MessageDescriptor[];
  options?: { mapEntry?: boolean };
}
interface FileDescriptor {
  messageType?: MessageDescriptor[];
}
interface DescriptorCodec {
  decode(buf: Uint8Array): FileDescriptor;
  encode(msg: FileDescriptor): { finish(): Uint8Array };
}
const FileDescriptorProto = (descriptorModule as unknown as { FileDescriptorProto: DescriptorCodec })
  .FileDescriptorProto;

/** protoc's rule: the map entry of field `foo_bar` is the nested message `FooBarEntry`. */
export function mapEntryName(fieldName: string): string {
  const camel = fieldName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return camel.charAt(0).toUpperCase() + camel.slice(1) + 'Entry';
}

/**
 * protobufjs names a map's implicit entry message after the field (`Data`),
 * where protoc names it `DataEntry`; grpcurl and other protoc-based clients
 * reject such descriptors. Renames every entry and the field references to it.
 */
export function canonicaliseMapEntries(message: MessageDescriptor): void {
  for (const nested of message.nestedType ?? []) canonicaliseMapEntries(nested);
  for (const field of message.field ?? []) {
    const entry = (message.nestedType ?? []).find(
      (n) => n.options?.mapEntry && n.name !== undefined && field.typeName?.split('.').pop() === n.name,
    );
    if (!entry || !field.name) continue;
    const wanted = mapEntryName(field.name);
    if (entry.name === wanted) continue;
    const prefix = field.typeName!.slice(0, field.typeName!.length - entry.name!.length);
    entry.name = wanted;
    field.typeName = prefix + wanted;
  }
}

/**
 * The descriptors served by server reflection: field names as the .proto spells
 * them (the handlers use camelCase, clients expect snake_case with JSON names)
 * and protoc-style map entries.
 */
export function reflectionPackageDefinition(extraProtoFiles: string[]): protoLoader.PackageDefinition {
  const definition = protoLoader.loadSync([RUNNER_PROTO_FILE, ...extraProtoFiles], {
    keepCase: true,
    includeDirs: [protoDir()],
  });
  const patched: protoLoader.PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    const buffers = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos;
    if (!Array.isArray(buffers)) {
      patched[name] = entry;
      continue;
    }
    const fileDescriptorProtos = buffers.map((buf) => {
      const file = FileDescriptorProto.decode(buf);
      for (const message of file.messageType ?? []) canonicaliseMapEntries(message);
      return Buffer.from(FileDescriptorProto.encode(file).finish());
    });
    patched[name] = { ...entry, fileDescriptorProtos } as typeof entry;
  }
  return patched;
}
