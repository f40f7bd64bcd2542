import { FakeRunner } from '../../integration/kubelet/support/fake-runner.js';
import { streamingHandlers } from '../../integration/kubelet-api/support/fake-runner-streams.js';

/**
 * A stand-in runner process for end-to-end runs of the kubelet's protocols
 * alone: pods are held in memory (containers run at once), Exec runs real
 * local processes, PortForward connects on loopback. Usage: node
 * fake-runner-process.js <socket path>.
 */
const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: fake-runner-process <socket path>\n');
  process.exit(2);
}
const runner = new FakeRunner(socketPath);
runner.overrides = streamingHandlers().handlers;
await runner.start();
process.stdout.write(`fake runner listening on ${socketPath}\n`);
process.on('SIGTERM', () => void runner.stop().then(() => process.exit(0)));
