import { parentPort } from 'node:worker_threads';
import { FakeKubeApi } from './fake-kube-api.js';
import { FakeKubeHttp } from './fake-kube-http.js';

/*
 * A FakeKubeHttp on a worker thread of its own (started by KubeHttpThread),
 * so that it answers while the test's main thread is blocked. Messages:
 * in, "calls" (answered with the calls so far: op and arrival time); out,
 * the port once listening.
 */

export interface KubeHttpCall {
  op: string;
  atMs: number;
}

const port = parentPort!;
const api = new FakeKubeApi();
const server = new FakeKubeHttp(api);
void server.start().then((listening) => port.postMessage({ type: 'port', port: listening }));
port.on('message', (message: string) => {
  if (message !== 'calls') return;
  const calls: KubeHttpCall[] = api.calls.map((c) => ({ op: c.op, atMs: c.atMs }));
  port.postMessage({ type: 'calls', calls });
});
