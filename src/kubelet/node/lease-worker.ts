import { parentPort, workerData } from 'node:worker_threads';
import { batchedDurableDestination, createRootLogger } from '../../common/logger.js';
import { KubeApiClient } from '../kube/kube-api-client.js';
import { credentialSource } from '../kube/kube-credentials.js';
import { KubeTransport } from '../kube/kube-transport.js';
import { LeaseHost } from './lease-host.js';
import { mainThreadStalled, type LeaseThreadData, type ToLeaseThread } from './lease-thread-protocol.js';

/*
 * The lease thread's entry point (a worker_threads Worker started by
 * LeaseThread): the API connections for the renewals, and a LeaseHost fed
 * by the main thread's messages. A thread is an isolate of its own, so it
 * has a root logger of its own, writing the kubelet's format to the same
 * stderr.
 */

const data = workerData as LeaseThreadData;
const port = parentPort!;
const logger = createRootLogger('vk-cmd-kubelet', data.verbosity, batchedDurableDestination()).child({
  thread: 'lease',
});
const transport = new KubeTransport(data.kube, credentialSource(data.kube.credentials), {
  maxSockets: data.maxSockets,
  userAgent: data.userAgent,
});
const alive = new BigInt64Array(data.alive);
const host = new LeaseHost({
  api: (nodeName, counter) =>
    new KubeApiClient(transport, counter, logger.child({ node: nodeName, component: 'kube-api' })),
  post: (message) => port.postMessage(message),
  mayRenew: () => !mainThreadStalled(Number(Atomics.load(alive, 0)), Date.now(), data.stallLimitMs),
  logger,
  tallyIntervalMs: data.tallyIntervalMs,
});
port.on('message', (message: ToLeaseThread) => host.handle(message));
port.on('close', () => {
  host.close();
  transport.close();
});
