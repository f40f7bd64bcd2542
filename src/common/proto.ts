import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../generated/runner.js';

/**
 * Loader options shared by both processes. They must match the flags that
 * `make generate` passes to proto-loader-gen-types, or the generated types lie.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export const RUNNER_PROTO_FILE = 'vkcmd/runner/v1/runner.proto';
export const RUNNER_SERVICE_NAME = 'vkcmd.runner.v1.Runner';

/**
 * Finds the proto folder: beside the bundle in a release tarball, or at the
 * repository root when running from `dist/`. VK_CMD_PROTO_DIR overrides both.
 */
export function protoDir(): string {
  const override = process.env['VK_CMD_PROTO_DIR'];
  if (override) return override;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.join(here, 'proto'), path.resolve(here, '../../../proto')]) {
    if (existsSync(path.join(candidate, RUNNER_PROTO_FILE))) return candidate;
  }
  throw new Error(`cannot find ${RUNNER_PROTO_FILE} near ${here}; set VK_CMD_PROTO_DIR`);
}

let cached: { definition: protoLoader.PackageDefinition; grpcType: ProtoGrpcType } | undefined;

/** Loads the runner contract once per process; the result is shared and must not be mutated. */
export function loadRunnerProto(): { definition: protoLoader.PackageDefinition; grpcType: ProtoGrpcType } {
  if (!cached) {
    const definition = protoLoader.loadSync(RUNNER_PROTO_FILE, {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [protoDir()],
    });
    const grpcType = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    cached = { definition, grpcType };
  }
  return cached;
}
