import type * as grpc from '@grpc/grpc-js';
import type { GetLogsRequest } from '../../../../src/generated/vkcmd/runner/v1/GetLogsRequest.js';
import type { LogChunk__Output } from '../../../../src/generated/vkcmd/runner/v1/LogChunk.js';
import type { RunnerClient } from '../../../../src/generated/vkcmd/runner/v1/Runner.js';

/** A unary call of the Runner service as a promise. */
export function unary<Req, Res>(
  client: RunnerClient,
  method:
    | 'CreatePod'
    | 'DeletePod'
    | 'GetPod'
    | 'ListPods'
    | 'GetStats'
    | 'GetNodeInfo'
    | 'GetRunnerHealth'
    | 'GetProbeMetrics',
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (
      client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, v: Res) => void) => void>
    )[method]!;
    fn.call(client, req, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** A whole GetLogs stream as text (container c1 unless the request names one). */
export function readLogs(
  client: RunnerClient,
  req: GetLogsRequest,
  onChunk?: (text: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const stream = client.GetLogs({ container: 'c1', ...req });
    stream.on('data', (c: LogChunk__Output) => {
      out += c.data.toString('utf8');
      onChunk?.(out);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}
