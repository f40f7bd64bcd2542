import * as grpc from '@grpc/grpc-js';
import type { Container } from '../../../../src/generated/vkcmd/runner/v1/Container.js';
import type { Pod__Output } from '../../../../src/generated/vkcmd/runner/v1/Pod.js';
import type { PodSpec } from '../../../../src/generated/vkcmd/runner/v1/PodSpec.js';
import { scriptPod, status } from './runner-pods.js';

/* Pods with probes and hooks, and a gRPC health server to probe, for probes.test.ts and lifecycle-hooks.test.ts. */

/** A pod running `script` with probes and hooks on its one container, c1. */
export function probedPod(
  name: string,
  script: string,
  health: Pick<Container, 'startupProbe' | 'readinessProbe' | 'livenessProbe' | 'lifecycle' | 'env'>,
  extra: { restartPolicy?: string; terminationGracePeriodSeconds?: number } = {},
): PodSpec {
  const spec = scriptPod(name, script, { restartPolicy: extra.restartPolicy ?? 'Never' });
  Object.assign(spec.containers![0]!, health);
  if (extra.terminationGracePeriodSeconds !== undefined)
    spec.terminationGracePeriodSeconds = extra.terminationGracePeriodSeconds;
  return spec;
}

export const exec = (...command: string[]) => ({ exec: { command } });
export const every1s = { periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 };

/** The report of a probe type on container c1, if it ran. */
export function report(pod: Pod__Output, type: string) {
  return status(pod, 'c1').probeReports.find((r) => r.probeType === type);
}

/** A grpc.health.v1 server answering `statusOf(service)` (1 SERVING, 2 NOT_SERVING) for Check. */
export async function healthServer(
  statusOf: (service: string) => number,
): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  const raw = (b: Buffer): Buffer => b;
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        // HealthCheckRequest{service = 1}: a one-byte length is enough here.
        const service = call.request.length > 2 ? call.request.subarray(2).toString('utf8') : '';
        cb(null, Buffer.from([0x08, statusOf(service)]));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { port, server };
}
