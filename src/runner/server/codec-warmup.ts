import type * as protoLoader from '@grpc/proto-loader';

/*
 * protobufjs builds each message type's encoder and decoder (with `new
 * Function`) the first time a message of that type passes, and a nested type
 * only when a message carries it. So a runner's first pod paid for building
 * those of PodSpec, Pod and their parts on top of its own start: 8-13 ms
 * of CPU (three profiles). On a host where many runners start
 * their first pods together (a fleet's allocation) those costs queue behind
 * each other (bench/README.md, "Scrapes in step"). Warming up at start builds
 * them once, before the first call, by passing a message with every field
 * set through the serializers of a pod's methods.
 */

/** The methods every pod passes through: their codecs are worth building before the first pod. */
export const POD_LIFECYCLE_METHODS: readonly string[] = [
  'CreatePod',
  'DeletePod',
  'PodCommands',
  'WatchPods',
];

/** The parts of a DescriptorProto that sampleMessage reads. */
interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  options?: { mapEntry?: boolean } | null;
}

/** The name proto-loader gives a field with `keepCase: false` (protobufjs' camelCase). Pure. */
export function objectFieldName(name: string): string {
  return name.slice(0, 1) + name.slice(1).replace(/_([a-z])(?=[a-z]|$)/g, (_, c: string) => c.toUpperCase());
}

/** A value of a scalar field type, non-default so that encoders write it; undefined for messages and enums. */
function scalarSample(type: string): unknown {
  switch (type) {
    case 'TYPE_STRING':
      return 'x';
    case 'TYPE_BYTES':
      return Buffer.from('x');
    case 'TYPE_BOOL':
      return true;
    case 'TYPE_DOUBLE':
    case 'TYPE_FLOAT':
      return 1.5;
    case 'TYPE_MESSAGE':
    case 'TYPE_ENUM':
    case 'TYPE_GROUP':
      return undefined;
    default:
      return 1;
  }
}

/**
 * The full name of the type a field names, as protobuf resolves it: from the
 * message holding the field outwards to the package root. Undefined when the
 * definition has no such type. Pure.
 */
export function resolveTypeName(
  definition: protoLoader.PackageDefinition,
  fromType: string,
  typeName: string,
): string | undefined {
  if (typeName.startsWith('.')) return definition[typeName.slice(1)] ? typeName.slice(1) : undefined;
  for (let scope = fromType; ; scope = scope.slice(0, Math.max(0, scope.lastIndexOf('.')))) {
    const name = scope ? `${scope}.${typeName}` : typeName;
    if (definition[name]) return name;
    if (!scope) return undefined;
  }
}

/**
 * An object of message type `fullName` with every field set (a repeated field
 * holds one element, a map one entry; every member of a oneof is set), down to
 * `depth` levels of nested messages. Fields whose type cannot be found are
 * left out. Pure.
 */
export function sampleMessage(
  definition: protoLoader.PackageDefinition,
  fullName: string,
  depth = 10,
): Record<string, unknown> {
  const entry = definition[fullName] as { type?: unknown } | undefined;
  if (!entry || depth <= 0) return {};
  const type = entry.type as unknown as MessageDescriptor;
  const out: Record<string, unknown> = {};
  for (const field of type.field) {
    let value = scalarSample(field.type);
    if (field.type === 'TYPE_ENUM') {
      const enumName = resolveTypeName(definition, fullName, field.typeName);
      const e = enumName ? (definition[enumName] as protoLoader.EnumTypeDefinition) : undefined;
      const values = (e?.type as { value?: Array<{ name: string }> } | undefined)?.value ?? [];
      value = values[values.length - 1]?.name;
    } else if (field.type === 'TYPE_MESSAGE') {
      const map = type.nestedType.find(
        (n) => n.options?.mapEntry && `${type.name}.${n.name}`.endsWith(field.typeName),
      );
      if (map) {
        const valueField = map.field.find((f) => f.name === 'value');
        const mapValue =
          valueField?.type === 'TYPE_MESSAGE'
            ? sampleNamed(definition, fullName, valueField.typeName, depth - 1)
            : scalarSample(valueField?.type ?? 'TYPE_STRING');
        out[objectFieldName(field.name)] = { k: mapValue };
        continue;
      }
      value = sampleNamed(definition, fullName, field.typeName, depth - 1);
    }
    if (value === undefined) continue;
    out[objectFieldName(field.name)] = field.label === 'LABEL_REPEATED' ? [value] : value;
  }
  return out;
}

function sampleNamed(
  definition: protoLoader.PackageDefinition,
  fromType: string,
  typeName: string,
  depth: number,
): Record<string, unknown> | undefined {
  const name = resolveTypeName(definition, fromType, typeName);
  return name ? sampleMessage(definition, name, depth) : undefined;
}

/** The key of a method's request or response type in the package definition (the service's package). */
function typeNameOf(
  definition: protoLoader.PackageDefinition,
  servicePackage: string,
  type: { type: unknown },
): string | undefined {
  const name = `${servicePackage}.${(type.type as { name?: string }).name ?? ''}`;
  return definition[name] ? name : undefined;
}

/**
 * Passes a message with every field set through each method's request and
 * response serializers and back, so that the first real call does not build
 * any codec. Returns how many messages went through; a message a serializer
 * refuses is skipped (the call that brings one builds what it needs, as before).
 */
export function warmUpCodecs(
  definition: protoLoader.PackageDefinition,
  serviceName: string,
  methods: readonly string[],
): number {
  const service = definition[serviceName] as protoLoader.ServiceDefinition | undefined;
  const servicePackage = serviceName.slice(0, Math.max(0, serviceName.lastIndexOf('.')));
  let passed = 0;
  for (const methodName of methods) {
    const method = service?.[methodName];
    if (!method) continue;
    const pairs: Array<[{ type: unknown }, (v: object) => Buffer, (b: Buffer) => unknown]> = [
      [method.requestType, method.requestSerialize, method.requestDeserialize],
      [method.responseType, method.responseSerialize, method.responseDeserialize],
    ];
    for (const [type, serialize, deserialize] of pairs) {
      const name = typeNameOf(definition, servicePackage, type);
      if (!name) continue;
      try {
        deserialize(serialize(sampleMessage(definition, name)));
        passed++;
      } catch {
        // Skipped: see the doc comment.
      }
    }
  }
  return passed;
}
