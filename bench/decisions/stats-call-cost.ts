/*
 * What a stats collection costs the client: a unary call against a request
 * and its answer on one open bidirectional stream (bench/README.md, "Stats on
 * one stream"). A server in a child process answers 1,500 bytes either way;
 * the client spaces its requests 1 ms apart, as collections are spread, and
 * the timer's own cost is subtracted.
 *
 *   node dist/bench/decisions/stats-call-cost.js [--rounds 3]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { flagValue, loadAverage } from './measure-support.js';

const ANSWER_BYTES = 1_500;
const WARM_UP = 1_500;
const MEASURED = 2_000;
const same = (b: Buffer): Buffer => b;
const method = (name: string, stream: boolean) => ({
  path: `/bench.Stats/${name}`,
  requestStream: stream,
  responseStream: stream,
  requestSerialize: same,
  requestDeserialize: same,
  responseSerialize: same,
  responseDeserialize: same,
});
const SERVICE = { Get: method('Get', false), Stream: method('Stream', true) };

type Unary = (req: Buffer, options: grpc.CallOptions, cb: (err: Error | null, res?: Buffer) => void) => void;
interface StatsClient extends grpc.Client {
  Get: Unary;
  Stream: () => grpc.ClientDuplexStream<Buffer, Buffer>;
}

function serve(): void {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    Get: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(ANSWER_BYTES)),
    Stream: (call: grpc.ServerDuplexStream<Buffer, Buffer>) =>
      call.on('data', () => call.write(Buffer.alloc(ANSWER_BYTES))),
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.send?.(port);
  });
}

/** Client CPU (us) per `fn`, each followed by a 1 ms timer. */
async function cpuPer(fn: () => Promise<unknown>, n: number): Promise<number> {
  const nap = (): Promise<void> => new Promise((r) => setTimeout(r, 1));
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await fn();
    await nap();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

async function measure(): Promise<{ unaryUs: number; streamUs: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
    const Client = grpc.makeGenericClientConstructor(SERVICE, 'Stats');
    const client = new Client(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as StatsClient;
    const unary = (): Promise<Buffer | undefined> =>
      new Promise((resolve, reject) =>
        client.Get(Buffer.alloc(10), { deadline: Date.now() + 5_000 }, (e, r) =>
          e ? reject(e) : resolve(r),
        ),
      );
    const stream = client.Stream();
    let answered: (() => void) | undefined;
    stream.on('data', () => answered?.());
    // The stream ends with a CANCELLED or reset status when the server goes at the end.
    stream.on('error', () => undefined);
    const streamed = (): Promise<void> =>
      new Promise((resolve) => {
        answered = resolve;
        stream.write(Buffer.alloc(10));
      });
    await cpuPer(unary, WARM_UP);
    await cpuPer(streamed, WARM_UP);
    const timerUs = await cpuPer(() => Promise.resolve(), MEASURED);
    const unaryUs = (await cpuPer(unary, MEASURED)) - timerUs;
    const streamUs = (await cpuPer(streamed, MEASURED)) - timerUs;
    stream.cancel();
    client.close();
    return { unaryUs, streamUs };
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) {
  serve();
} else {
  const rounds = Number(flagValue(process.argv, '--rounds', '3'));
  for (let r = 0; r < rounds; r++) {
    const load = loadAverage();
    const { unaryUs, streamUs } = await measure();
    console.log(
      `load ${load}: unary ${unaryUs.toFixed(0)} us, stream ${streamUs.toFixed(0)} us ` +
        `(${((100 * streamUs) / unaryUs).toFixed(0)} %)`,
    );
  }
}
