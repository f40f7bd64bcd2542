import * as grpc from '@grpc/grpc-js';
import { formatGoDuration } from '../go-duration.js';
import { joinHostPort } from './go-net-errors.js';
import { KUBE_VERSION } from './http-probe.js';
import type { ProbeOutcome } from './probe-worker.js';
import { DEFAULT_PROBE_HOST } from './tcp-probe.js';

const CHECK_METHOD = '/grpc.health.v1.Health/Check';

/** grpc.health.v1.HealthCheckResponse.ServingStatus names, as Go's String() prints them. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** gRPC code names as grpc-go's codes.Code String() prints them. */
const CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

/** HealthCheckRequest{service}: field 1, length-delimited. Pure. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const bytes = Buffer.from(service, 'utf8');
  if (bytes.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x0a]), varint(bytes.length), bytes]);
}

/** HealthCheckResponse.status (field 1, varint); 0 when absent. Pure; throws on malformed input. */
export function decodeHealthCheckStatus(buf: Buffer): number {
  let i = 0;
  let status = 0;
  while (i < buf.length) {
    const [tag, afterTag] = readVarint(buf, i);
    const field = tag >>> 3;
    const wire = tag & 7;
    i = afterTag;
    if (wire === 0) {
      const [value, next] = readVarint(buf, i);
      if (field === 1) status = value;
      i = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, i);
      i = next + len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  if (i > buf.length) throw new Error('truncated message');
  return status;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function readVarint(buf: Buffer, start: number): [number, number] {
  let value = 0;
  let shift = 0;
  let i = start;
  for (;;) {
    if (i >= buf.length) throw new Error('truncated varint');
    const b = buf[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

/** `rpc error: code = NotFound desc = unknown service`, as grpc-go formats a status error. Pure. */
export function goRpcError(code: number, details: string): string {
  return `rpc error: code = ${CODE_NAMES[code] ?? `Code(${code})`} desc = ${details}`;
}

/**
 * pkg/probe/grpc: grpc.health.v1.Health/Check on 127.0.0.1:port with the
 * service name, connection and call within the timeout. SERVING is a
 * success; everything else is a failure worded as the kubelet words it.
 */
export function grpcProbe(port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(DEFAULT_PROBE_HOST, port);
  const timeout = formatGoDuration(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': `kube-probe/${KUBE_VERSION}`,
    'grpc.enable_retries': 0,
  });
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({
          kind: 'failure',
          output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded`,
        });
        return;
      }
      client.makeUnaryRequest(
        CHECK_METHOD,
        (service: string) => encodeHealthCheckRequest(service),
        (buf: Buffer) => decodeHealthCheckStatus(buf),
        service,
        new grpc.Metadata(),
        { deadline },
        (callErr, status) => resolve(checkOutcome(callErr, status, timeout)),
      );
    });
  }).finally(() => client.close());
}

function checkOutcome(
  err: grpc.ServiceError | null,
  status: number | undefined,
  timeout: string,
): ProbeOutcome {
  if (err) {
    if (err.code === grpc.status.UNIMPLEMENTED) {
      return {
        kind: 'failure',
        output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`,
      };
    }
    if (err.code === grpc.status.DEADLINE_EXCEEDED) {
      return { kind: 'failure', output: `timeout: health rpc did not complete within ${timeout}` };
    }
    return {
      kind: 'failure',
      output: `error: health rpc probe failed: ${goRpcError(err.code, err.details)}`,
    };
  }
  if (status !== 1) {
    const name = SERVING_STATUS[status ?? 0] ?? String(status);
    return { kind: 'failure', output: `service unhealthy (responded with ${JSON.stringify(name)})` };
  }
  return { kind: 'success', output: 'service healthy' };
}
